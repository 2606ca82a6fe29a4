package dev.outpost.agent.infra;

import dev.outpost.protocol.v1.InfrastructureRequirement;
import java.time.Duration;

/**
 * Makes infrastructure exist outside the cluster's API (a node pool, a bucket) for plan steps. Calls
 * are bounded by {@code timeout} and must stop promptly when the calling thread is interrupted (the
 * agent is shutting down). A provider never throws for a refusal by the cloud: that is a failed result.
 */
public interface InfrastructureProvider {

    /** Makes the item exist as required; idempotent (an item that is already so is a success). */
    InfrastructureResult ensure(InfrastructureRequirement requirement, Duration timeout) throws InterruptedException;

    /** Removes the item; an item already gone is a success. */
    InfrastructureResult remove(String kind, String name, Duration timeout) throws InterruptedException;
}
