package dev.outpost.protocol.release;

/** A release template or its parameters cannot be rendered; the message says why. */
public class TemplateException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public TemplateException(String message) {
        super(message);
    }
}
