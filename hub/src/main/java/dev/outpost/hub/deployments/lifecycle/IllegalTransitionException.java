package dev.outpost.hub.deployments.lifecycle;

import dev.outpost.hub.deployments.Operation;

/** An event that the operation's state does not allow, e.g. a result for an operation that has finished. */
public final class IllegalTransitionException extends RuntimeException {
    private final transient Operation.Status from;

    public IllegalTransitionException(Operation.Status from, OperationEvent event) {
        super("an operation that is " + from.json() + " cannot take " + event.describe());
        this.from = from;
    }

    /** The state the operation was in. */
    public Operation.Status from() {
        return from;
    }
}
