package dev.outpost.agent.deploy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * A time budget shared by several waiting steps; it starts when the first of them starts, so the
 * time spent applying does not count against "how long to wait for workloads". Pauses start short and
 * double up to the poll interval: a workload that is ready in moments is seen in moments, a long wait
 * still polls the API server at most once per interval.
 */
final class Deadline {
    /** The first pause; measured: redis on kwok is Ready about 0.2 s after apply, a 0.5 s first pause cost 0.5 s. */
    static final Duration FIRST_PAUSE = Duration.ofMillis(100);
    private final Clock clock;
    private final Duration budget;
    private final Duration pollInterval;
    private Instant end;
    private Duration nextPause;

    Deadline(Clock clock, Duration budget, Duration pollInterval) {
        this.clock = clock;
        this.budget = budget;
        this.pollInterval = pollInterval;
        this.nextPause = FIRST_PAUSE.compareTo(pollInterval) < 0 ? FIRST_PAUSE : pollInterval;
    }

    Duration budget() {
        return budget;
    }

    boolean passed() {
        return !clock.instant().isBefore(end());
    }

    /** Sleeps the next pause (0.1 s, doubling to the poll interval), or less when the deadline comes sooner. */
    void pause() throws InterruptedException {
        long millis = nextPauseMillis();
        if (millis > 0) {
            Thread.sleep(millis);
        }
    }

    /** How long the next pause lasts, and the one after it doubled (up to the poll interval). */
    long nextPauseMillis() {
        // rounded up: a pause that ends a fraction of a millisecond short would leave the deadline not quite passed
        long left = Duration.between(clock.instant(), end()).plusNanos(999_999).toMillis();
        long millis = Math.min(nextPause.toMillis(), left);
        Duration doubled = nextPause.multipliedBy(2);
        nextPause = doubled.compareTo(pollInterval) < 0 ? doubled : pollInterval;
        return Math.max(millis, 0);
    }

    private Instant end() {
        if (end == null) {
            end = clock.instant().plus(budget);
        }
        return end;
    }
}
