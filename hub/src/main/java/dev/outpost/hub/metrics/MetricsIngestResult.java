package dev.outpost.hub.metrics;

import java.util.List;

/** What the hub did with a MetricsBatch: deployments stored, and ids not of the agent's environment. */
public record MetricsIngestResult(int stored, List<String> unknownDeployments) {
}
