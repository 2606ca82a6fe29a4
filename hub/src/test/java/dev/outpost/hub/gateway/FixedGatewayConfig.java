package dev.outpost.hub.gateway;

import java.time.Duration;

/** Gateway limits given by a test, for a gateway built without Micronaut. */
record FixedGatewayConfig(int maxHandshakes, Duration busyRetryAfter) implements GatewayConfig {
    /** The values GatewayConfig binds by default. */
    static final FixedGatewayConfig DEFAULTS = new FixedGatewayConfig(64, Duration.ofSeconds(5));

    @Override
    public int getMaxHandshakes() {
        return maxHandshakes;
    }

    @Override
    public Duration getBusyRetryAfter() {
        return busyRetryAfter;
    }

    @Override
    public Duration getCaReloadInterval() {
        return Duration.ofSeconds(10);
    }
}
