package dev.outpost.hub.gateway;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/** The agent gateway's load limits, under {@code outpost.gateway.} (docs/configuration.md). */
@ConfigurationProperties("outpost.gateway")
public interface GatewayConfig {
    /**
     * Most handshakes in progress at once (Enroll calls, and control streams until their Welcome);
     * more are refused with RESOURCE_EXHAUSTED and a retry-after trailer, so a reconnect storm after a
     * hub restart queues at the agents, not in the hub's memory.
     */
    @Bindable(defaultValue = "64")
    int getMaxHandshakes();

    /** The least wait a busy refusal asks for; agents add a random share of it again. */
    @Bindable(defaultValue = "5s")
    Duration getBusyRetryAfter();

    /** How often the gateway looks at the CA files for a rollover step (outpost-hub ca …) and takes it in. */
    @Bindable(defaultValue = "10s")
    Duration getCaReloadInterval();
}
