package dev.outpost.hub.agents;

/** An enrolled, non-revoked agent and the serial of its current client certificate. */
public record ActiveAgent(String agentId, String tenantId, String environmentId, String certificateSerialHex) {
}
