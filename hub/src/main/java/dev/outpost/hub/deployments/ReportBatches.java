package dev.outpost.hub.deployments;

import dev.outpost.hub.store.Database;
import dev.outpost.hub.store.Sql;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress and results reported by agents, applied many to one transaction. Each stream hands its
 * report over and goes on; one writer thread applies what is waiting and commits once. With a commit
 * per report, the 20,000 reports of a rollout to 10,000 agents took 33 s to record and kept the
 * pushing workers waiting for a database connection. A report's follow-up (its log lines, the
 * stream's next push) runs once its batch has committed. When any report of a batch fails, nothing
 * of the batch is kept and each is applied again alone (H2 rolls a deadlock's victim back whole, so
 * a savepoint per report could not keep the others); a report that fails alone is handed its error,
 * and the stream closes so that the agent reports again on its next one. Batches run while no sent
 * mark is written (they update the same command rows). Reports are applied in the order they were
 * handed over, so one stream's progress always comes before its result. A report lost to a crash is
 * not lost for good: its command still counts as sent, goes out again on the agent's next stream,
 * and the agent answers it from its ledger.
 */
final class ReportBatches implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReportBatches.class);
    /**
     * The most reports one transaction applies. A commit rewrites every index page its rows touched, and
     * a fleet's reports touch pages all over each table, so larger batches share more pages; 200 kept up
     * with only about 1,000 reports a second. A batch holds its rows' locks until it commits.
     */
    static final int BATCH = 1_000;
    /** The most reports waiting (two per agent of a 10,000-agent rollout); a stream that finds it full waits. */
    static final int CAPACITY = 20_000;
    /** How long a stream waits for room before it is closed, so that its agent reports again later. */
    static final Duration HANDOVER_WAIT = Duration.ofSeconds(30);

    /**
     * One report: what it writes in the batch's transaction, returning what to do once that commits,
     * and who is told that it was applied (null) or why not.
     */
    record Report(Function<Sql, Runnable> apply, Consumer<RuntimeException> then) {
    }

    /** Why a report was not taken: the hub is closing, or too many are waiting. */
    static final class NotTaken extends RuntimeException {
        NotTaken(String message) {
            super(message);
        }
    }

    private final Database db;
    private final Consumer<Runnable> besideSentMarks;
    private final int capacity;
    private final Duration handoverWait;
    private final BlockingQueue<Report> waiting;
    private final Thread writer;
    private volatile boolean closed;

    /** {@code besideSentMarks} writes the sent marks waiting, then runs its work while none is written. */
    ReportBatches(Database db, Consumer<Runnable> besideSentMarks) {
        this(db, besideSentMarks, CAPACITY, HANDOVER_WAIT);
    }

    /** With another bound and wait: for tests of a full queue. */
    ReportBatches(Database db, Consumer<Runnable> besideSentMarks, int capacity, Duration handoverWait) {
        this.db = db;
        this.besideSentMarks = besideSentMarks;
        this.capacity = capacity;
        this.handoverWait = handoverWait;
        this.waiting = new ArrayBlockingQueue<>(capacity);
        this.writer = new Thread(this::writeUntilClosed, "outpost-reports");
        writer.setDaemon(true);
        writer.start();
    }

    /** Hands a report over; {@code then} hears of it once applied, or at once if it cannot be taken. */
    void add(Report report) {
        boolean taken;
        try {
            taken = !closed && waiting.offer(report, handoverWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            taken = false;
        }
        if (!taken) {
            tell(report, new NotTaken(closed ? "the hub is stopping"
                    : capacity + " agent reports are waiting to be recorded"));
        }
    }

    /** Stops the writer and applies what is still waiting. */
    @Override
    public void close() {
        closed = true;
        try {
            writer.join(Duration.ofSeconds(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Report> left = new ArrayList<>();
        waiting.drainTo(left);
        for (int from = 0; from < left.size(); from += BATCH) {
            apply(left.subList(from, Math.min(left.size(), from + BATCH)));
        }
    }

    private void writeUntilClosed() {
        List<Report> batch = new ArrayList<>(BATCH);
        // Not interrupted to stop: an interrupt can close the database's file channel under H2.
        while (!closed) {
            try {
                Report first = waiting.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                waiting.drainTo(batch, BATCH - 1);
                apply(batch);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException | Error e) {
                LOG.error("The agent report writer failed; it goes on with the next reports", e);
            } finally {
                batch.clear();
            }
        }
    }

    private void apply(List<Report> batch) {
        besideSentMarks.accept(() -> applyTogether(batch));
    }

    private void applyTogether(List<Report> batch) {
        Runnable[] after = new Runnable[batch.size()];
        try {
            db.inTransaction(sql -> {
                for (int i = 0; i < batch.size(); i++) {
                    after[i] = batch.get(i).apply().apply(sql);
                }
                return null;
            });
        } catch (RuntimeException e) {
            // Nothing of the batch committed: each alone, so that one report cannot hold back the rest.
            LOG.warn("Cannot record {} agent reports in one transaction; recording each alone", batch.size(), e);
            batch.forEach(this::applyAlone);
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            finish(batch.get(i), after[i], null);
        }
    }

    private void applyAlone(Report report) {
        Runnable after = null;
        RuntimeException error = null;
        try {
            after = db.inTransaction(report.apply()::apply);
        } catch (RuntimeException e) {
            error = e;
        }
        finish(report, after, error);
    }

    private static void finish(Report report, Runnable after, RuntimeException error) {
        if (error == null && after != null) {
            try {
                after.run();
            } catch (RuntimeException e) {
                LOG.warn("A recorded agent report's follow-up failed", e);
            }
        }
        tell(report, error);
    }

    private static void tell(Report report, RuntimeException error) {
        try {
            report.then().accept(error);
        } catch (RuntimeException e) {
            LOG.warn("Cannot tell a stream about its report", e);
        }
    }
}
