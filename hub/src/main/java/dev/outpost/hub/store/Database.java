package dev.outpost.hub.store;

import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs work on a pooled connection, in a transaction that commits only if the work returns normally.
 * Work started while the same thread is already inside {@link #inTransaction} joins that transaction
 * (under a savepoint, so a failure it throws still undoes just its own writes): an edge can make a
 * whole request, e.g. an idempotent one, commit or roll back as one.
 */
@Singleton
public class Database {
    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    private final DataSource dataSource;
    private final ThreadLocal<Transaction> current = new ThreadLocal<>();

    public Database(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Work on one connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Sql sql);
    }

    /**
     * The transaction open on this thread: its connection, who is told when its commit starts and ends,
     * and what to run once it commits.
     */
    private record Transaction(Connection connection, Sql sql, Set<CommitWatch> commitWatches,
                               List<Runnable> afterCommit) {
    }

    /** Told when a transaction's commit starts; what it returns runs once the commit has returned or failed. */
    @FunctionalInterface
    public interface CommitWatch {
        Runnable starting();
    }

    /** Runs {@code work} in one transaction; any exception rolls everything back and is rethrown. */
    public <T> T inTransaction(Work<T> work) {
        Transaction outer = current.get();
        if (outer != null) {
            return joined(outer, work);
        }
        T result;
        List<Runnable> afterCommit = new ArrayList<>();
        Set<CommitWatch> commitWatches = new LinkedHashSet<>();
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            current.set(new Transaction(connection, new Sql(connection), commitWatches, afterCommit));
            try {
                result = work.run(current.get().sql());
                commitWatched(connection, commitWatches);
            } catch (RuntimeException | Error e) {
                rollbackQuietly(connection, e);
                throw e;
            } catch (SQLException e) {
                rollbackQuietly(connection, e);
                throw e;
            } finally {
                current.remove();
            }
        } catch (SQLException e) {
            throw StoreException.of(e);
        }
        afterCommit.forEach(Database::runQuietly);
        return result;
    }

    /**
     * Runs {@code work} on a connection of its own in auto-commit mode, each statement committing alone:
     * for the few statements that cannot run in a transaction (PostgreSQL's CREATE INDEX CONCURRENTLY).
     */
    public <T> T autoCommit(Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            return work.run(new Sql(connection));
        } catch (SQLException e) {
            throw StoreException.of(e);
        }
    }

    /** Runs read-only work; a transaction gives it one consistent snapshot on both databases. */
    public <T> T read(Work<T> work) {
        return inTransaction(work);
    }

    /**
     * Runs {@code action} once the transaction open on this thread commits (never if it rolls back), or
     * now when none is open: for what others must only see after the change is durable (events that
     * make a dispatcher read the new rows).
     */
    public void afterCommit(Runnable action) {
        Transaction tx = current.get();
        if (tx == null) {
            action.run();
        } else {
            tx.afterCommit().add(action);
        }
    }

    /**
     * Tells {@code watch} when the commit of the transaction open on this thread starts and when it has
     * returned: for readers that must not act on a commit the database shows before it has written it
     * ({@link WrittenCommits}). Watching twice tells once. Refused outside a transaction.
     */
    public void watchCommit(CommitWatch watch) {
        Transaction tx = current.get();
        if (tx == null) {
            throw new IllegalStateException("no transaction is open on this thread to watch the commit of");
        }
        tx.commitWatches().add(watch);
    }

    /** Whether this thread is inside a transaction. */
    public boolean inTransaction() {
        return current.get() != null;
    }

    private static void commitWatched(Connection connection, Set<CommitWatch> watches) throws SQLException {
        List<Runnable> ended = new ArrayList<>(watches.size());
        try {
            for (CommitWatch watch : watches) {
                ended.add(watch.starting());
            }
            connection.commit();
        } finally {
            ended.forEach(Runnable::run);
        }
    }

    private static <T> T joined(Transaction outer, Work<T> work) {
        Savepoint savepoint;
        try {
            savepoint = outer.connection().setSavepoint();
        } catch (SQLException e) {
            throw StoreException.of(e);
        }
        try {
            T result = work.run(outer.sql());
            outer.connection().releaseSavepoint(savepoint);
            return result;
        } catch (RuntimeException | Error e) {
            try {
                outer.connection().rollback(savepoint);
            } catch (SQLException rollback) {
                e.addSuppressed(rollback);
            }
            throw e;
        } catch (SQLException e) {
            throw StoreException.of(e);
        }
    }

    private static void runQuietly(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            // The change is committed; a failed follow-up (a notification) must not turn it into an error.
            LOG.warn("an after-commit action failed: {}", e.toString());
        }
    }

    private static void rollbackQuietly(Connection connection, Throwable cause) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }
}
