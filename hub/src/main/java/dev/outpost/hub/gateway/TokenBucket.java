package dev.outpost.hub.gateway;

import java.time.Clock;

/**
 * A token bucket: up to {@code burst} takes at once, refilled at {@code perSecond}. One per control
 * stream, so a flooding agent is cut off at the gateway without touching the database. Not
 * thread-safe; grpc-java delivers one stream's messages one at a time.
 */
final class TokenBucket {
    private final Clock clock;
    private final double burst;
    private final double perMilli;
    private double tokens;
    private long lastMillis;

    TokenBucket(Clock clock, int burst, int perSecond) {
        if (burst < 1 || perSecond < 1) {
            throw new IllegalArgumentException("a token bucket needs burst >= 1 and rate >= 1");
        }
        this.clock = clock;
        this.burst = burst;
        this.perMilli = perSecond / 1000.0;
        this.tokens = burst;
        this.lastMillis = clock.millis();
    }

    /** Takes one token; false when the bucket is empty. */
    boolean tryTake() {
        long now = clock.millis();
        if (now > lastMillis) {
            tokens = Math.min(burst, tokens + (now - lastMillis) * perMilli);
            lastMillis = now;
        }
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }
}
