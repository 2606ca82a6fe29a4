package dev.outpost.hub.agents;

import java.time.Instant;
import java.util.List;

/**
 * An enrolled agent as the REST API shows it. {@code nodeCount} is null when unknown (the agent may
 * not list nodes); {@code allowedNamespaces} and {@code condition} are null until the agent has told
 * (older agents never do).
 */
public record Agent(
        String id,
        String tenantId,
        String environmentId,
        String status,
        String version,
        Instant lastSeenAt,
        Instant enrolledAt,
        String kubernetesVersion,
        Integer nodeCount,
        String platform,
        Instant certificateNotAfter,
        List<Applied> applied,
        List<String> allowedNamespaces,
        Condition condition) {

    /** Whether the agent can act on its cluster, as it last reported: ready or degraded, why, since when. */
    public record Condition(String state, String reason, Instant since) {
        /** The agent can reach its cluster and has what it needs. */
        public static final String READY = "ready";
        /** The agent is connected but cannot act on its cluster. */
        public static final String DEGRADED = "degraded";
    }

    /** One deployment as the agent last reported having applied it. */
    public record Applied(String deploymentId, long generation, String contentHash) {
    }
}
