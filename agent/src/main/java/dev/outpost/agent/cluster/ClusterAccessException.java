package dev.outpost.agent.cluster;

/** The agent cannot use its cluster; the message says what is missing and how to fix it. */
public final class ClusterAccessException extends Exception {
    private static final long serialVersionUID = 1L;

    public ClusterAccessException(String message) {
        super(message, null, false, false); // a configuration problem: the message is all there is to say
    }
}
