package dev.outpost.hub.store;

import dev.outpost.hub.config.HubConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * Keeps the reads whose rows leave the hub (commands pushed to agents) from seeing a commit before the
 * database has written it. H2 marks a transaction committed, and so visible to other connections,
 * before its committing thread has stored it in the file: a {@code kill -9} in between loses a rollout
 * whose commands agents may already carry out. So on H2 each fenced commit holds a shared lock while
 * it commits, and each fenced read takes the lock alone: it runs between commits, never during one.
 * PostgreSQL shows a commit only once its WAL record is flushed, so there this costs nothing.
 */
@Singleton
public class WrittenCommits {
    private final Database db;
    private final boolean fenced;
    /**
     * Commits share it, reads take it alone: many commits may be written at once, and a read waits only
     * for those under way. Fair, so that a stream of reads cannot hold a rollout's commit back for ever,
     * nor a stream of commits the pushes.
     */
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock(true);

    @Inject
    public WrittenCommits(Database db, HubConfig config) {
        this(db, DatabaseKind.configured(config));
    }

    /** For a database of the given kind; only H2 needs the fence. */
    public WrittenCommits(Database db, DatabaseKind kind) {
        this.db = db;
        this.fenced = kind == DatabaseKind.H2;
    }

    /** Makes the transaction open on this thread one that {@link #read} waits for while it commits. */
    public void fenceCommit() {
        if (fenced) {
            db.holdWhileCommitting(lock.readLock());
        }
    }

    /**
     * Runs {@code read} while no fenced commit is under way, so that it sees only fenced commits the
     * database has written. Call it inside the read's transaction, with its connection already taken:
     * waiting for the lock before taking a connection could leave the committers, each holding one of
     * the pool's connections, waiting for a reader that waits for a connection.
     */
    public <T> T read(Supplier<T> read) {
        if (!fenced) {
            return read.get();
        }
        lock.writeLock().lock();
        try {
            return read.get();
        } finally {
            lock.writeLock().unlock();
        }
    }
}
