package dev.outpost.protocol.release;

import dev.outpost.protocol.Sha256;
import dev.outpost.protocol.v1.DeploymentPlan;
import dev.outpost.protocol.v1.PlanStep;

/**
 * The content hash of a package plan (revision 2): what the agent reports as applied once every step
 * succeeded, and what the hub expects for the command it sent. One line per step, "name input_hash",
 * hashed as {@link ContentHash}; a step without an input hash counts by its serialized bytes.
 */
public final class PlanContentHash {
    private PlanContentHash() {
    }

    /** The hash of {@code plan}. */
    public static String of(DeploymentPlan plan) {
        StringBuilder lines = new StringBuilder();
        for (PlanStep step : plan.getStepsList()) {
            String input = step.getInputHash().isEmpty()
                    ? "sha256:" + Sha256.hex(step.toByteArray())
                    : step.getInputHash();
            lines.append(step.getName()).append(' ').append(input).append('\n');
        }
        return ContentHash.of(lines.toString());
    }
}
