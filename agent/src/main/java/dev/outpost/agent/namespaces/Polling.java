package dev.outpost.agent.namespaces;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

/** Waits between checks of a condition, with backoff and jitter, until a deadline on the given clock. */
final class Polling {
    private static final Duration FIRST = Duration.ofMillis(100);
    private static final Duration MAX = Duration.ofSeconds(2);

    private final Clock clock;
    private final Instant end;
    private Duration next = FIRST;

    Polling(Clock clock, Duration budget) {
        this.clock = clock;
        this.end = clock.instant().plus(budget);
    }

    boolean passed() {
        return !clock.instant().isBefore(end);
    }

    /** Sleeps the next interval (±20 %), never past the deadline. */
    void pause() throws NamespaceException {
        long jittered = (long) (next.toMillis() * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
        long millis = Math.min(jittered, Duration.between(clock.instant(), end).toMillis());
        next = next.multipliedBy(2).compareTo(MAX) > 0 ? MAX : next.multipliedBy(2);
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NamespaceException("interrupted while waiting for the cluster", e);
        }
    }
}
