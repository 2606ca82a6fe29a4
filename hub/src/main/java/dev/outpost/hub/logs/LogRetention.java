package dev.outpost.hub.logs;

import dev.outpost.hub.store.Database;
import io.micronaut.context.annotation.Context;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes lines older than outpost.logs.retention (by their time), every retention-interval, in
 * batches of retention-batch-size, each its own short transaction; a run stops after
 * {@link #MAX_BATCHES_PER_RUN} batches so it never holds the database for long, and the next run goes
 * on. Several hub replicas may run it at once: deleting the same old lines twice is harmless.
 */
@Context
public class LogRetention {
    static final int MAX_BATCHES_PER_RUN = 100;
    private static final Logger LOG = LoggerFactory.getLogger(LogRetention.class);

    private final Database db;
    private final LogStore store;
    private final LogsConfig config;
    private final Clock clock;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("log-retention").daemon().factory());

    public LogRetention(Database db, LogStore store, LogsConfig config, Clock clock) {
        this.db = db;
        this.store = store;
        this.config = LogsConfigRules.checked(config);
        this.clock = clock;
    }

    @PostConstruct
    void schedule() {
        long every = config.getRetentionInterval().toMillis();
        // The first run waits a little, so a starting hub serves its first requests first.
        timer.scheduleWithFixedDelay(this::runGuarded, Math.min(every, Duration.ofMinutes(1).toMillis()), every,
                TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        timer.shutdownNow();
    }

    /** One run: deletes lines older than the retention; returns how many it deleted. */
    public long runOnce() {
        long cutoff = cutoffNs();
        long deleted = 0;
        for (int i = 0; i < MAX_BATCHES_PER_RUN; i++) {
            int batch = db.inTransaction(sql -> store.deleteOlder(sql, cutoff, config.getRetentionBatchSize()));
            deleted += batch;
            if (batch < config.getRetentionBatchSize()) {
                break;
            }
        }
        if (deleted > 0) {
            LOG.info("Log retention deleted {} lines older than {}", deleted, LogViews.instant(cutoff));
        }
        return deleted;
    }

    /** Lines before this time (Unix ns) are past the retention. */
    long cutoffNs() {
        return LogViews.nanos(clock.instant().minus(config.getRetention()));
    }

    private void runGuarded() {
        try {
            runOnce();
        } catch (RuntimeException e) {
            // The next run tries again; old lines wait a little longer.
            LOG.warn("Log retention run failed: {}", e.toString());
        }
    }
}
