package dev.outpost.hub.limits;

import java.time.Clock;
import java.time.Duration;

/**
 * A token bucket: up to {@code burst} takes at once, refilled at {@code perSecond}. Used per control
 * stream (a flooding agent is cut off at the gateway without touching the database) and per API
 * token, tenant and address. Not thread-safe: one stream's messages arrive one at a time, and
 * {@link RequestLimiter} locks around its buckets.
 */
public final class TokenBucket {
    private final Clock clock;
    private final double burst;
    private final double perMilli;
    private double tokens;
    private long lastMillis;

    public TokenBucket(Clock clock, int burst, double perSecond) {
        if (burst < 1 || !(perSecond > 0)) {
            throw new IllegalArgumentException("a token bucket needs burst >= 1 and a rate above 0");
        }
        this.clock = clock;
        this.burst = burst;
        this.perMilli = perSecond / 1000.0;
        this.tokens = burst;
        this.lastMillis = clock.millis();
    }

    /** Takes one token; false when the bucket is empty. */
    public boolean tryTake() {
        refill();
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }

    /** Whether a token could be taken now, without taking it. */
    public boolean hasToken() {
        refill();
        return tokens >= 1;
    }

    /** How long until the next token is there (zero when one is). */
    public Duration untilNext() {
        refill();
        return tokens >= 1 ? Duration.ZERO : Duration.ofMillis((long) Math.ceil((1 - tokens) / perMilli));
    }

    private void refill() {
        long now = clock.millis();
        if (now > lastMillis) {
            tokens = Math.min(burst, tokens + (now - lastMillis) * perMilli);
            lastMillis = now;
        }
    }
}
