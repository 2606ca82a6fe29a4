package dev.outpost.agent.enrollment;

/** Enrolment did not succeed; the message says why in words for the person installing the agent. */
public class EnrollmentException extends Exception {
    private static final long serialVersionUID = 1L;

    public EnrollmentException(String message) {
        super(message);
    }

    public EnrollmentException(String message, Throwable cause) {
        super(message, cause);
    }
}
