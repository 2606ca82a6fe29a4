package dev.outpost.hub.store;

import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/** Runs work on a pooled connection, in a transaction that commits only if the work returns normally. */
@Singleton
public class Database {
    private final DataSource dataSource;

    public Database(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Work on one connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Sql sql);
    }

    /** Runs {@code work} in one transaction; any exception rolls everything back and is rethrown. */
    public <T> T inTransaction(Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.run(new Sql(connection));
                connection.commit();
                return result;
            } catch (RuntimeException | Error e) {
                rollbackQuietly(connection, e);
                throw e;
            } catch (SQLException e) {
                rollbackQuietly(connection, e);
                throw e;
            }
        } catch (SQLException e) {
            throw StoreException.of(e);
        }
    }

    /** Runs read-only work; a transaction gives it one consistent snapshot on both databases. */
    public <T> T read(Work<T> work) {
        return inTransaction(work);
    }

    private static void rollbackQuietly(Connection connection, Throwable cause) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }
}
