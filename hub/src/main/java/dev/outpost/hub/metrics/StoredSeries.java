package dev.outpost.hub.metrics;

import java.time.Instant;

/** A series as stored: whose it is, its latest value, when the agent sampled it and the hub received it. */
public record StoredSeries(String tenantId, String environmentId, String deploymentId, MetricSeries series,
        Instant sampledAt, Instant receivedAt) {
}
