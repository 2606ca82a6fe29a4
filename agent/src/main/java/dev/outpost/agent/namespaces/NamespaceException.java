package dev.outpost.agent.namespaces;

/** A deployment's namespace could not be made or removed; the message is for the operator. */
public final class NamespaceException extends Exception {

    public NamespaceException(String message) {
        super(message);
    }

    public NamespaceException(String message, Throwable cause) {
        super(message, cause);
    }
}
