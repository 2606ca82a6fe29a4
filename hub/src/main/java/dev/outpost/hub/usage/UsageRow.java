package dev.outpost.hub.usage;

import java.math.BigDecimal;
import java.time.Instant;

/** One accepted usage record, as it is stored. */
public record UsageRow(String idempotencyKey, String agentId, String tenantId, String environmentId,
        String deploymentId, String meter, String unit, Instant windowStart, Instant windowEnd, BigDecimal quantity) {
}
