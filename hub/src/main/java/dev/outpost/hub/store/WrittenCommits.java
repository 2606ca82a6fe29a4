package dev.outpost.hub.store;

import dev.outpost.hub.config.HubConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Keeps what the hub sends out of itself (commands pushed to agents) from being read off a commit the
 * database has not written yet. H2 marks a transaction committed, and so visible to other connections,
 * before its committing thread has stored it in the file: a {@code kill -9} in between loses a rollout
 * whose commands agents may already carry out. So on H2 each fenced commit takes a number as it starts
 * and gives it back once it has returned, and a fenced read, once it has run, waits until every commit
 * numbered before its end has returned: whatever it saw is then written. Commits never wait, and reads
 * wait only for the commits that overlapped them. PostgreSQL shows a commit only once its WAL record is
 * flushed, so there this costs nothing.
 */
@Singleton
public class WrittenCommits {
    private final Database db;
    private final boolean fenced;
    private final Database.CommitWatch watch = this::starting;
    /** Numbers of the fenced commits under way; guarded by {@code this}. */
    private final TreeSet<Long> underWay = new TreeSet<>();
    /** The number the last fenced commit took; guarded by {@code this}. */
    private long lastNumber;

    @Inject
    public WrittenCommits(Database db, HubConfig config) {
        this(db, DatabaseKind.configured(config));
    }

    /** For a database of the given kind; only H2 needs the fence. */
    public WrittenCommits(Database db, DatabaseKind kind) {
        this.db = db;
        this.fenced = kind == DatabaseKind.H2;
    }

    /** Makes the transaction open on this thread one that {@link #read} waits for if they overlap. */
    public void fenceCommit() {
        if (fenced) {
            db.watchCommit(watch);
        }
    }

    /**
     * Runs {@code read}, then waits until every fenced commit that started before it ended has returned,
     * so that nothing it saw can still be taken back by a crash. Best given a whole read transaction,
     * so that its connection goes back to the pool before the wait.
     */
    public <T> T read(Supplier<T> read) {
        T result = read.get();
        if (fenced) {
            awaitCommitsStartedSoFar();
        }
        return result;
    }

    private Runnable starting() {
        long number;
        synchronized (this) {
            number = ++lastNumber;
            underWay.add(number);
        }
        return () -> returned(number);
    }

    private synchronized void returned(long number) {
        underWay.remove(number);
        notifyAll();
    }

    private synchronized void awaitCommitsStartedSoFar() {
        long number = lastNumber;
        boolean interrupted = false;
        while (!underWay.isEmpty() && underWay.first() <= number) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true; // the read's result must not go out before its commits are written
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
