package dev.outpost.hub.agents;

import java.time.Instant;
import java.util.List;

/** An enrolled agent as the REST API shows it. */
public record Agent(
        String id,
        String tenantId,
        String environmentId,
        String status,
        String version,
        Instant lastSeenAt,
        Instant enrolledAt,
        String kubernetesVersion,
        int nodeCount,
        String platform,
        Instant certificateNotAfter,
        List<Applied> applied) {

    /** One deployment as the agent last reported having applied it. */
    public record Applied(String deploymentId, long generation, String contentHash) {
    }
}
