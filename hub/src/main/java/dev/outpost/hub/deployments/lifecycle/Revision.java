package dev.outpost.hub.deployments.lifecycle;

import java.time.Instant;
import java.util.Map;

/**
 * What one successful create or update of a deployment applied: its release and parameters (as the
 * caller gave them; secrets the hub generates are never kept here), the plan if the release is a
 * package, and the content hash of what was rendered. {@code number} counts from 1 per deployment.
 */
public record Revision(
        String deploymentId,
        long number,
        String tenantId,
        String operationId,
        String releaseId,
        Map<String, Object> parameters,
        String planName,
        String contentHash,
        Instant createdAt) {
}
