package dev.outpost.agent.config;

/** The command line is wrong; the message is one line for the user. */
public class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
