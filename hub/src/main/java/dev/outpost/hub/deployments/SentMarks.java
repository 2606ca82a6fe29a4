package dev.outpost.hub.deployments;

import dev.outpost.hub.store.Database;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records that commands went out, many at once: every stream adds its marks and returns, and one
 * writer thread writes all that are waiting in one transaction, so a fan-out to thousands of streams
 * costs a few commits, not one each, and no stream waits for a commit. Nothing waits on a mark but
 * the result deadline (it counts from it) and a hold (which needs the command marked sent):
 * {@link #flush} writes the waiting ones first. A mark lost to a crash or a failed write only means
 * the command counts as queued: it is sent again on the agent's next stream, and the agent answers
 * it from its ledger. At most {@link #CAPACITY} marks wait: a stream that finds more writes them
 * itself, so a database slower than the pushes slows the pushes instead of filling the heap.
 */
final class SentMarks implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SentMarks.class);
    /** The most marks one transaction writes. */
    static final int BATCH = 1_000;
    /** The most marks waiting before the streams adding more write them themselves. */
    static final int CAPACITY = 20_000;

    /** One delivery to record. */
    record Mark(String commandId, String agentId, Instant at) {
    }

    private final Database db;
    private final CommandStore commands;
    private final Queue<Mark> waiting = new ConcurrentLinkedQueue<>();
    /** How many marks {@link #waiting} holds (its own size() walks the whole queue). */
    private final AtomicInteger waitingCount = new AtomicInteger();
    private final int capacity;
    private final ReentrantLock writing = new ReentrantLock();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final ExecutorService writer = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "outpost-sent-marks");
        thread.setDaemon(true);
        return thread;
    });

    SentMarks(Database db, CommandStore commands) {
        this(db, commands, CAPACITY);
    }

    /** With another bound on the marks waiting: for tests of a full queue. */
    SentMarks(Database db, CommandStore commands, int capacity) {
        this.db = db;
        this.commands = commands;
        this.capacity = capacity;
    }

    /**
     * Adds a mark, to be written soon with the others waiting then; with more than the capacity
     * waiting, writes them before returning (the writing lock is reentrant, so a report's follow-up,
     * which runs while it is held, writes them too instead of waiting for itself).
     */
    void add(Mark mark) {
        waiting.add(mark);
        if (waitingCount.incrementAndGet() > capacity) {
            flush();
            return;
        }
        if (scheduled.compareAndSet(false, true)) {
            try {
                writer.execute(this::writeScheduled);
            } catch (RejectedExecutionException e) { // closing: write it here
                scheduled.set(false);
                flush();
            }
        }
    }

    /** Writes every mark added before this call, waiting for a write in progress. */
    void flush() {
        flushThen(() -> { });
    }

    /**
     * Writes the marks waiting, then runs {@code work} while no mark is written: the agents' reports
     * update the same command rows, and two batches updating them at once in different orders
     * deadlock (H2 then rolls one of them back whole).
     */
    void flushThen(Runnable work) {
        writing.lock();
        try {
            writeWaiting();
            work.run();
        } finally {
            writing.unlock();
        }
    }

    /** Stops the writer and writes what is left. */
    @Override
    public void close() {
        writer.shutdown();
        try {
            writer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flush();
    }

    private void writeScheduled() {
        do {
            try {
                flush();
            } finally {
                scheduled.set(false);
            }
            // Re-checked after the flag is down: a mark added meanwhile is not left behind.
        } while (!waiting.isEmpty() && scheduled.compareAndSet(false, true));
    }

    private void writeWaiting() {
        List<Mark> batch = new ArrayList<>();
        for (Mark mark = waiting.poll(); mark != null; mark = waiting.poll()) {
            waitingCount.decrementAndGet();
            batch.add(mark);
            if (batch.size() == BATCH) {
                write(batch);
                batch = new ArrayList<>();
            }
        }
        if (!batch.isEmpty()) {
            write(batch);
        }
    }

    private void write(List<Mark> batch) {
        try {
            db.inTransaction(sql -> {
                commands.markSent(sql, batch);
                return null;
            });
        } catch (RuntimeException e) {
            LOG.warn("Cannot record that {} command(s) were sent (e.g. {} to agent {}); they count as queued and go "
                    + "out again on their agent's next stream", batch.size(), batch.get(0).commandId(),
                    batch.get(0).agentId(), e);
        }
    }
}
