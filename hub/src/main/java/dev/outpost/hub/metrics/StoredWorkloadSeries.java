package dev.outpost.hub.metrics;

import java.time.Instant;

/** A forwarded workload series as stored: whose it is, its latest value, when it was sampled and received. */
public record StoredWorkloadSeries(String tenantId, String environmentId, String deploymentId, WorkloadSeries series,
        Instant sampledAt, Instant receivedAt) {
}
