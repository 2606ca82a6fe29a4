package dev.outpost.hub.enrollment;

/** A join token that checked out: which token, and the tenant and environment it admits an agent to. */
public record JoinGrant(String tokenId, String tenantId, String environmentId) {
}
