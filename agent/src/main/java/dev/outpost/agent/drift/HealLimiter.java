package dev.outpost.agent.drift;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.function.DoubleSupplier;

/**
 * Bounds how often the agent re-applies one drifted object, so that a fight with another controller
 * (an HPA scaling what the release pins, an operator rewriting a field) is a handful of heals and then
 * a visible, unhealed drift rather than an endless loop. The first heal is immediate; each further one
 * waits twice as long as the one before (with jitter), and after {@code maxHeals} the agent stops until
 * the deployment is applied again or the object stayed in line for {@code quietReset}.
 */
final class HealLimiter {
    /** What to do about a drifted object now. */
    sealed interface Decision {
        /** Re-apply it now. */
        record HealNow() implements Decision {
        }

        /** Re-apply it no earlier than {@code at}. */
        record WaitUntil(Instant at) implements Decision {
        }

        /** Healed too often already: leave it drifted and say so. */
        record GiveUp(int heals) implements Decision {
        }
    }

    private record Attempts(int count, Instant last) {
    }

    private final Clock clock;
    private final int maxHeals;
    private final Duration baseDelay;
    private final Duration maxDelay;
    private final Duration quietReset;
    private final DoubleSupplier random;
    private final Map<String, Attempts> attempts = new HashMap<>();

    HealLimiter(Clock clock, int maxHeals, Duration baseDelay, Duration maxDelay, Duration quietReset,
                DoubleSupplier random) {
        this.clock = clock;
        this.maxHeals = maxHeals;
        this.baseDelay = baseDelay;
        this.maxDelay = maxDelay;
        this.quietReset = quietReset;
        this.random = random;
    }

    /** Whether the object with this key may be healed now. */
    synchronized Decision decide(String key) {
        Attempts previous = current(key);
        if (previous == null) {
            return new Decision.HealNow();
        }
        if (previous.count() >= maxHeals) {
            return new Decision.GiveUp(previous.count());
        }
        Instant at = previous.last().plus(delayAfter(previous.count()));
        return clock.instant().isBefore(at) ? new Decision.WaitUntil(at) : new Decision.HealNow();
    }

    /** Records a heal of the object now. */
    synchronized void healed(String key) {
        Attempts previous = current(key);
        attempts.put(key, new Attempts(previous == null ? 1 : previous.count() + 1, clock.instant()));
    }

    /** Forgets the object's heals (the deployment was applied again). */
    synchronized void reset(String key) {
        attempts.remove(key);
    }

    /** Forgets the heals of every key starting with {@code prefix}. */
    synchronized void resetAll(String prefix) {
        attempts.keySet().removeIf(key -> key.startsWith(prefix));
    }

    private Attempts current(String key) {
        Attempts previous = attempts.get(key);
        if (previous != null && !clock.instant().isBefore(previous.last().plus(quietReset))) {
            attempts.remove(key);
            return null;
        }
        return previous;
    }

    /** Half of the doubled delay is fixed and half random, so agents in a fight do not stay in step. */
    private Duration delayAfter(int heals) {
        long full = Math.min(maxDelay.toMillis(), baseDelay.toMillis() << Math.min(20, heals - 1));
        return Duration.ofMillis(full / 2 + (long) (random.getAsDouble() * (full / 2)));
    }
}
