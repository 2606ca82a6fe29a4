package dev.outpost.agent.connection;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with full jitter: the n-th wait is uniformly random in [0, min(cap, base·2ⁿ)),
 * so that many agents reconnecting after a hub restart spread out instead of arriving together.
 */
public final class Backoff {
    private static final int MAX_DOUBLINGS = 30;

    private final Duration base;
    private final Duration cap;
    private final DoubleSupplier random;
    private int attempt;

    public Backoff(Duration base, Duration cap) {
        this(base, cap, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** With a source of random numbers in [0, 1), for tests. */
    public Backoff(Duration base, Duration cap, DoubleSupplier random) {
        if (base.isNegative() || base.isZero() || cap.compareTo(base) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < base <= cap");
        }
        this.base = base;
        this.cap = cap;
        this.random = random;
    }

    /** The wait before the next attempt; each call doubles the ceiling up to the cap. */
    public synchronized Duration next() {
        long ceiling = ceilingMillis(attempt);
        attempt = Math.min(attempt + 1, MAX_DOUBLINGS);
        return Duration.ofMillis((long) (random.getAsDouble() * ceiling));
    }

    /** Starts over, e.g. after a stream stayed up long enough to count as healthy. */
    public synchronized void reset() {
        attempt = 0;
    }

    long ceilingMillis(int n) {
        long doubled = base.toMillis() << Math.min(n, MAX_DOUBLINGS);
        return doubled <= 0 ? cap.toMillis() : Math.min(cap.toMillis(), doubled);
    }
}
