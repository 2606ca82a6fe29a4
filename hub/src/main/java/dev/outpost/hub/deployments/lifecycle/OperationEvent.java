package dev.outpost.hub.deployments.lifecycle;

import java.util.Locale;

/** What can happen to an operation: the agent reports, a person cancels, or the hub gives up on it. */
public enum OperationEvent {
    /** The agent reported progress: it is carrying the command out. */
    PROGRESS,
    /** The agent's result says the command succeeded. */
    SUCCEEDED,
    /** The agent's result says the command failed. */
    FAILED,
    /** A caller cancelled the operation. */
    CANCELLED,
    /** The agent had the command but sent no result in time. */
    TIMED_OUT,
    /** The agent's result did not answer its command (e.g. another content hash) and was refused. */
    REFUSED,
    /** The hub could not build the command at all (a package that does not render, an agent too old). */
    UNPLANNABLE;

    /** The event in words, for messages. */
    public String describe() {
        return switch (this) {
            case PROGRESS -> "a progress report";
            case SUCCEEDED -> "a successful result";
            case FAILED -> "a failed result";
            case CANCELLED -> "a cancel";
            case TIMED_OUT -> "a result timeout";
            case REFUSED -> "a refused result";
            case UNPLANNABLE -> "a command that could not be built";
        };
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
