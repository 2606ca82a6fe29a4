package dev.outpost.agent.plan;

/**
 * A plan step the agent carried out successfully for a deployment: its {@code input_hash}, and for an
 * infrastructure step the item it made exist (so a delete knows what to remove).
 */
public record StepRecord(String name, String inputHash, String infrastructureKind, String infrastructureName) {

    public StepRecord {
        inputHash = inputHash == null ? "" : inputHash;
        infrastructureKind = infrastructureKind == null ? "" : infrastructureKind;
        infrastructureName = infrastructureName == null ? "" : infrastructureName;
    }

    /** Whether the step made an infrastructure item exist. */
    public boolean isInfrastructure() {
        return !infrastructureKind.isEmpty();
    }
}
