package dev.outpost.hub.enrollment;

/**
 * Event published in-process when an agent has enrolled (and any previous agent of its environment was
 * revoked), so that this replica's gateway closes the previous agent's stream at once instead of at its
 * next revalidation.
 */
public record AgentEnrolled(String agentId, String environmentId) {
}
