package dev.outpost.hub.usage;

import java.time.Instant;
import java.util.List;

/** An agent's usage spool as its last batch reported it, and the records the hub refused from it. */
public record AgentUsage(String agentId, String tenantId, long pendingRecords, long pendingBytes, long maxBytes,
        long droppedRecordsTotal, long unmeasuredWindowsTotal, Instant reportedAt, List<Rejections> rejections) {

    /** Records refused for one reason, in all. */
    public record Rejections(String reason, long count, Instant lastAt) {
    }
}
