package dev.outpost.hub.environments;

import dev.outpost.hub.agents.Agent;
import java.time.Instant;

/**
 * One customer cluster (in a cloud account) that deployments go to, with the agent currently
 * enrolled for it, if any, and that agent's condition as it last reported it (null when not told).
 */
public record Environment(
        String id,
        String tenantId,
        String name,
        String cloud,
        String region,
        String clusterName,
        Instant createdAt,
        String agentId,
        String agentStatus,
        Agent.Condition agentCondition) {
}
