package dev.outpost.hub.usage;

import java.time.Instant;

/** A usage record as stored, with its position in the (window start, id) order. */
public record StoredUsageRecord(long id, UsageRow row, Instant receivedAt) {
}
