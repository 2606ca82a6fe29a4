package dev.outpost.hub.usage;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/** The JSON bodies of the usage endpoints; quantities are exact decimal strings. */
public final class UsageViews {
    private UsageViews() {
    }

    /** GET /api/v1/usage. */
    public record Summary(List<Period> items) {
    }

    public record Period(String tenantId, String environmentId, String deploymentId, String meter, String unit,
            Instant periodStart, String quantity, long records) {
        static Period of(UsagePeriod p) {
            return new Period(p.tenantId(), p.environmentId(), p.deploymentId(), p.meter(), p.unit(), p.periodStart(),
                    plain(p.quantity()), p.records());
        }
    }

    /** GET /api/v1/usage/records. */
    public record RecordPage(List<Record> items, String nextCursor) {
    }

    public record Record(String idempotencyKey, String agentId, String tenantId, String environmentId,
            String deploymentId, String meter, String unit, Instant windowStart, Instant windowEnd, String quantity,
            Instant receivedAt) {
        static Record of(StoredUsageRecord stored) {
            UsageRow r = stored.row();
            return new Record(r.idempotencyKey(), r.agentId(), r.tenantId(), r.environmentId(), r.deploymentId(),
                    r.meter(), r.unit(), r.windowStart(), r.windowEnd(), plain(r.quantity()), stored.receivedAt());
        }
    }

    /** GET /api/v1/usage/agents. */
    public record Agents(List<Agent> items) {
    }

    public record Agent(String agentId, String tenantId, long pendingRecords, long pendingBytes, long maxBytes,
            long droppedRecordsTotal, long unmeasuredWindowsTotal, Instant reportedAt, List<Rejection> rejections) {
        static Agent of(AgentUsage a) {
            return new Agent(a.agentId(), a.tenantId(), a.pendingRecords(), a.pendingBytes(), a.maxBytes(),
                    a.droppedRecordsTotal(), a.unmeasuredWindowsTotal(), a.reportedAt(), a.rejections().stream()
                    .map(r -> new Rejection(r.reason(), r.count(), r.lastAt())).toList());
        }
    }

    public record Rejection(String reason, long count, Instant lastAt) {
    }

    /** An exact decimal in plain notation without trailing zeros: "1.5", "3600", "0". */
    public static String plain(BigDecimal value) {
        BigDecimal stripped = value.stripTrailingZeros();
        return (stripped.scale() < 0 ? stripped.setScale(0) : stripped).toPlainString();
    }
}
