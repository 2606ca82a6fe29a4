package dev.outpost.agent.model;

/** A command cannot be turned into objects to apply; the message says why, in words for the hub's user. */
public class PlanException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PlanException(String message) {
        super(message);
    }
}
