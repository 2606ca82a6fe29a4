package dev.outpost.agent.deploy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * A time budget shared by several waiting steps; it starts when the first of them starts, so the
 * time spent applying does not count against "how long to wait for workloads".
 */
final class Deadline {
    private final Clock clock;
    private final Duration budget;
    private final Duration pollInterval;
    private Instant end;

    Deadline(Clock clock, Duration budget, Duration pollInterval) {
        this.clock = clock;
        this.budget = budget;
        this.pollInterval = pollInterval;
    }

    Duration budget() {
        return budget;
    }

    boolean passed() {
        return !clock.instant().isBefore(end());
    }

    /** Sleeps one poll interval, or less when the deadline comes sooner. */
    void pause() throws InterruptedException {
        long millis = Math.min(pollInterval.toMillis(), Duration.between(clock.instant(), end()).toMillis());
        if (millis > 0) {
            Thread.sleep(millis);
        }
    }

    private Instant end() {
        if (end == null) {
            end = clock.instant().plus(budget);
        }
        return end;
    }
}
