package dev.outpost.hub.logs;

/** One stored line as the store reads it. */
public record StoredLogLine(long id, String tenantId, String environmentId, String deploymentId, String namespace,
        String pod, String container, long timeNs, String stream, String text, boolean truncated) {
}
