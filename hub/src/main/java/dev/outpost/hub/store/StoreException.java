package dev.outpost.hub.store;

import java.sql.SQLException;

/** A database error; unique-key violations get their own subtype so callers can answer 409. */
public class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** SQLSTATE for a unique violation, the same on H2 and PostgreSQL. */
    private static final String UNIQUE_VIOLATION = "23505";

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    static StoreException of(SQLException e) {
        if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
            return new DuplicateKeyException(e);
        }
        return new StoreException("database error: " + e.getMessage(), e);
    }

    /** An insert or update collided with a unique constraint. */
    public static final class DuplicateKeyException extends StoreException {
        private static final long serialVersionUID = 1L;

        DuplicateKeyException(SQLException cause) {
            super("duplicate key: " + cause.getMessage(), cause);
        }
    }
}
