package dev.outpost.hub.usage;

import java.util.List;

/** What one committed batch did: records stored now, records stored before, records refused. */
public record UsageIngestResult(int stored, int duplicates, List<Rejected> rejected) {

    /** A refused record: the key as the agent sent it, and why. */
    public record Rejected(String idempotencyKey, String reason) {
    }
}
