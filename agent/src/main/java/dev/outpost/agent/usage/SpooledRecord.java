package dev.outpost.agent.usage;

import dev.outpost.protocol.v1.UsageRecord;

/** One usage record as the spool and the journal keep it; {@code quantity} is the exact wire text. */
public record SpooledRecord(String key, String deploymentId, String meter, String unit, long windowStartMs,
        long windowEndMs, String quantity) {

    /** The record as sent to the hub. */
    public UsageRecord toProto() {
        return UsageRecord.newBuilder().setIdempotencyKey(key).setDeploymentId(deploymentId).setMeter(meter)
                .setUnit(unit).setWindowStartUnixMs(windowStartMs).setWindowEndUnixMs(windowEndMs)
                .setQuantity(quantity).build();
    }

    /** The journal line: {@code <key> <deploymentId> <meter> <windowStartMs> <windowEndMs> <quantity>}. */
    public String journalLine() {
        return key + " " + deploymentId + " " + meter + " " + windowStartMs + " " + windowEndMs + " " + quantity;
    }
}
