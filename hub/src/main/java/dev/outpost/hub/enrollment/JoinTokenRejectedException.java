package dev.outpost.hub.enrollment;

/** A join token cannot be used; {@link #reason()} says why, in words an installer can show. */
public class JoinTokenRejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why a token was refused. */
    public enum Reason {
        MALFORMED("join token is malformed: expected <id>.<secret>"),
        UNKNOWN("join token is unknown"),
        EXPIRED("join token has expired"),
        USED_UP("join token has no uses left");

        private final String message;

        Reason(String message) {
            this.message = message;
        }

        /** Human-readable text. */
        public String message() {
            return message;
        }
    }

    private final Reason reason;

    public JoinTokenRejectedException(Reason reason) {
        super(reason.message());
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
