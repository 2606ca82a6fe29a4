package dev.outpost.hub.usage;

import java.time.Instant;

/** A deployment usage may be reported for: its owner, environment and creation time. */
public record UsageTarget(String deploymentId, String tenantId, String environmentId, Instant createdAt) {
}
