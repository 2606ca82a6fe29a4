package dev.outpost.hub.api.idempotency;

import dev.outpost.hub.store.Database;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Forgets expired Idempotency-Keys, a bounded batch at a time, so the table does not grow forever. */
@Singleton
class IdempotencyKeyCleanup {
    private static final Logger LOG = LoggerFactory.getLogger(IdempotencyKeyCleanup.class);
    private static final int BATCH = 1000;
    private static final int MAX_BATCHES_PER_RUN = 20;

    private final Database db;
    private final IdempotencyStore store;
    private final Clock clock;

    IdempotencyKeyCleanup(Database db, IdempotencyStore store, Clock clock) {
        this.db = db;
        this.store = store;
        this.clock = clock;
    }

    /** Runs every few minutes on every replica; deleting the same expired rows twice is harmless. */
    @Scheduled(fixedDelay = "5m", initialDelay = "1m")
    void deleteExpired() {
        int total = 0;
        for (int batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
            int deleted = db.inTransaction(sql -> store.deleteExpired(sql, clock.instant(), BATCH));
            total += deleted;
            if (deleted < BATCH) {
                break;
            }
        }
        if (total > 0) {
            LOG.info("forgot {} expired idempotency keys", total);
        }
    }
}
