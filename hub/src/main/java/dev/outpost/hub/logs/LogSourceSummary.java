package dev.outpost.hub.logs;

import java.time.Instant;

/** One source's counts as the store has them. */
public record LogSourceSummary(String agentId, String tenantId, String environmentId, String deploymentId,
        String namespace, String pod, String podUid, String container, long storedLines, long droppedLines,
        Long lastLineNs, Instant updatedAt) {
}
