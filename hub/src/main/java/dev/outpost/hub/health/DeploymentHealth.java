package dev.outpost.hub.health;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.outpost.hub.deployments.Deployment;
import dev.outpost.hub.logs.LogViews;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * GET /api/v1/deployments/{id}/health: what a support engineer reads first about one deployment. A
 * verdict with the problems behind it, then the facts: the hub's view (status, failed step, drift),
 * the agent's latest Kubernetes sample, the last usage window, and the log lines of the last 15
 * minutes that look like errors (shown, not judged: they do not change the verdict).
 */
public record DeploymentHealth(
        String deploymentId,
        String tenantId,
        String environmentId,
        Verdict verdict,
        List<String> problems,
        Deployment.Status status,
        String statusReason,
        String failedStep,
        String activeOperationId,
        long generation,
        long appliedGeneration,
        Drift drift,
        Kubernetes kubernetes,
        UsageWindow lastUsageWindow,
        LogViews.RecentErrors recentLogErrors) {

    /** healthy: nothing wrong is known; unhealthy: see problems; unknown: no fresh sample says either way. */
    public enum Verdict {
        HEALTHY, UNHEALTHY, UNKNOWN;

        @JsonValue
        public String json() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Drifted objects not healed, and since when. */
    public record Drift(int objects, Instant since) {
    }

    /**
     * The agent's latest sample (null when there never was one); {@code fresh} while it is at most
     * 5 minutes old (older samples are shown, but not trusted for the verdict).
     */
    public record Kubernetes(Instant sampledAt, Instant receivedAt, boolean fresh, List<Workload> workloads,
            long workloadsOmitted, Map<String, Long> pods, long containerRestarts) {
    }

    public record Workload(String kind, String namespace, String name, long readyReplicas, long desiredReplicas) {
    }

    /** The latest usage window the hub stored for the deployment, per meter (null before the first). */
    public record UsageWindow(Instant windowStart, Instant windowEnd, List<Meter> meters) {
    }

    public record Meter(String meter, String unit, String quantity) {
    }
}
