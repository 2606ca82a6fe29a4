package dev.outpost.hub.agents;

/**
 * Event published in-process once an agent's revocation has committed, so that this replica's gateway
 * cuts the agent's stream at once; other replicas find it at their next revocation poll (seconds).
 */
public record AgentRevoked(String agentId) {
}
