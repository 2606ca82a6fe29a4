package dev.outpost.hub.usage;

import java.math.BigDecimal;
import java.time.Instant;

/** The usage of one meter of one deployment over one period, summed exactly. */
public record UsagePeriod(String tenantId, String environmentId, String deploymentId, String meter, String unit,
        Instant periodStart, BigDecimal quantity, long records) {
}
