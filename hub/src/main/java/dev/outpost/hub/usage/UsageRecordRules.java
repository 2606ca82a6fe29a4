package dev.outpost.hub.usage;

import dev.outpost.protocol.GrpcLimits;
import dev.outpost.protocol.usage.Meters;
import dev.outpost.protocol.usage.UsageKeys;
import dev.outpost.protocol.usage.UsageQuantity;
import dev.outpost.protocol.v1.UsageBatch;
import dev.outpost.protocol.v1.UsageRecord;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The hub's rules for usage: a batch that breaks a batch rule is refused whole (the stream ends with
 * INVALID_ARGUMENT naming the rule); a record that breaks a record rule is refused with a reason and
 * never stored, while the rest of its batch is.
 */
public final class UsageRecordRules {
    public static final String KEY_MISMATCH = "key-mismatch";
    public static final String UNKNOWN_DEPLOYMENT = "unknown-deployment";
    public static final String WINDOW_INVALID = "window-invalid";
    public static final String WINDOW_IN_FUTURE = "window-in-future";
    public static final String WINDOW_BEFORE_DEPLOYMENT = "window-before-deployment";
    public static final String BAD_QUANTITY = "bad-quantity";
    public static final String BAD_METER = "bad-meter";
    /** Every reason, in the order the rules are checked. */
    public static final List<String> REASONS = List.of(KEY_MISMATCH, UNKNOWN_DEPLOYMENT, WINDOW_INVALID,
            WINDOW_IN_FUTURE, WINDOW_BEFORE_DEPLOYMENT, BAD_QUANTITY, BAD_METER);

    /** Longest window a record may measure. */
    public static final Duration MAX_WINDOW = Duration.ofHours(24);
    /** How far agents' clocks may run ahead of the hub's, and start before their deployment. */
    public static final Duration CLOCK_SKEW = Duration.ofMinutes(5);
    /** Longest idempotency key stored; a longer one cannot be a key and is a mismatch. */
    static final int MAX_KEY_CHARS = 80;

    private UsageRecordRules() {
    }

    /** The batch rule {@code batch} breaks, as a message naming it, if any; then nothing of it is stored. */
    public static Optional<String> batchProblem(UsageBatch batch) {
        if (batch.getSequence() <= 0) {
            return Optional.of("usage batch sequence must be positive, got " + batch.getSequence());
        }
        if (batch.getRecordsCount() == 0) {
            return Optional.of("usage batch " + batch.getSequence() + " has no records (at least one is required)");
        }
        if (batch.getRecordsCount() > GrpcLimits.MAX_USAGE_RECORDS_PER_BATCH) {
            return Optional.of("usage batch " + batch.getSequence() + " has " + batch.getRecordsCount()
                    + " records, more than " + GrpcLimits.MAX_USAGE_RECORDS_PER_BATCH);
        }
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < batch.getRecordsCount(); i++) {
            if (!keys.add(batch.getRecords(i).getIdempotencyKey())) {
                return Optional.of("usage batch " + batch.getSequence() + " has a duplicate idempotency key at records["
                        + i + "]: keys must be unique within a batch");
            }
        }
        if (batch.getSpool().getPendingRecords() < 0 || batch.getSpool().getPendingBytes() < 0
                || batch.getSpool().getMaxBytes() < 0 || batch.getSpool().getDroppedRecordsTotal() < 0
                || batch.getSpool().getUnmeasuredWindowsTotal() < 0) {
            return Optional.of("usage batch " + batch.getSequence() + " spool counts must not be negative");
        }
        return Optional.empty();
    }

    /**
     * The verdict on one record sent by {@code agentId} (from its certificate) of environment
     * {@code agentEnvironmentId}; {@code deployment} is the record's deployment if it exists at all.
     * A deployment of another environment is refused exactly as a missing one.
     */
    public static UsageVerdict check(String agentId, String agentEnvironmentId, UsageRecord record,
            Optional<UsageTarget> deployment, Instant now) {
        String key = record.getIdempotencyKey();
        String expected = UsageKeys.key(agentId, record.getDeploymentId(), record.getMeter(),
                record.getWindowStartUnixMs(), record.getWindowEndUnixMs());
        if (!expected.equals(key)) {
            return UsageVerdict.rejected(KEY_MISMATCH);
        }
        Optional<UsageTarget> target = deployment.filter(d -> d.environmentId().equals(agentEnvironmentId));
        if (target.isEmpty()) {
            return UsageVerdict.rejected(UNKNOWN_DEPLOYMENT);
        }
        long startMs = record.getWindowStartUnixMs();
        long endMs = record.getWindowEndUnixMs();
        if (endMs <= startMs || endMs - startMs > MAX_WINDOW.toMillis()) {
            return UsageVerdict.rejected(WINDOW_INVALID);
        }
        Instant start = Instant.ofEpochMilli(startMs);
        Instant end = Instant.ofEpochMilli(endMs);
        if (end.isAfter(now.plus(CLOCK_SKEW))) {
            return UsageVerdict.rejected(WINDOW_IN_FUTURE);
        }
        if (start.isBefore(target.get().createdAt().minus(CLOCK_SKEW))) {
            return UsageVerdict.rejected(WINDOW_BEFORE_DEPLOYMENT);
        }
        Optional<BigDecimal> quantity = UsageQuantity.parse(record.getQuantity());
        if (quantity.isEmpty()) {
            return UsageVerdict.rejected(BAD_QUANTITY);
        }
        if (!Meters.validName(record.getMeter()) || !Meters.validUnit(record.getUnit())) {
            return UsageVerdict.rejected(BAD_METER);
        }
        UsageTarget d = target.get();
        return UsageVerdict.accepted(new UsageRow(key, agentId, d.tenantId(), d.environmentId(), d.deploymentId(),
                record.getMeter(), record.getUnit(), start, end, quantity.get()));
    }

    /** A key as it may be stored or logged: refused keys are whatever the agent sent, so cut to length. */
    public static String storableKey(String key) {
        return key.length() <= MAX_KEY_CHARS ? key : key.substring(0, MAX_KEY_CHARS);
    }
}
