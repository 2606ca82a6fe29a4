package dev.outpost.hub.logs;

import dev.outpost.hub.api.ApiException;
import dev.outpost.hub.store.Database;
import io.micronaut.http.HttpStatus;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/** Opens live tails, at most outpost.logs.max-tails at once; their reads run on two threads of their own. */
@Singleton
public class LogTails {
    private final Database db;
    private final LogStore store;
    private final LogsConfig config;
    private final Clock clock;
    private final Semaphore slots;
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2,
            Thread.ofPlatform().name("log-tail-", 0).daemon().factory());

    public LogTails(Database db, LogStore store, LogsConfig config, Clock clock) {
        this.db = db;
        this.store = store;
        this.config = config;
        this.clock = clock;
        this.slots = new Semaphore(LogsConfigRules.checked(config).getMaxTails());
    }

    /** A tail of the lines matching {@code filter} stored from now on; 429 when all slots are taken. */
    LogTail open(LogFilter filter, String who) {
        if (!slots.tryAcquire()) {
            throw new ApiException(HttpStatus.TOO_MANY_REQUESTS, "this hub already serves " + config.getMaxTails()
                    + " live tails (outpost.logs.max-tails); try again later");
        }
        try {
            long start = db.read(store::highestId);
            AtomicBoolean released = new AtomicBoolean();
            return new LogTail(db, store, filter, start, config, clock, scheduler, () -> {
                if (released.compareAndSet(false, true)) {
                    slots.release();
                }
            }, who);
        } catch (RuntimeException e) {
            slots.release();
            throw e;
        }
    }

    /** Tails open now. */
    int open() {
        return config.getMaxTails() - slots.availablePermits();
    }

    @PreDestroy
    void stop() {
        scheduler.shutdownNow();
    }
}
