package dev.outpost.hub.deployments;

import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * One change to a deployment (create, update or delete) as an agent carries it out. {@code waitingReason}
 * says, while the operation is pending or running, why it makes no progress (no agent, agent offline or
 * degraded); it is derived when read, null otherwise. {@code failedStep} names the plan step that
 * failed, if one did; {@code retryOf} is the failed operation this one repeats, if it is a retry.
 */
public record Operation(
        String id,
        String deploymentId,
        String tenantId,
        Type type,
        long generation,
        Status status,
        List<Step> steps,
        String failureReason,
        String failedStep,
        String retryOf,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        String waitingReason) {

    /** This operation with {@code reason} as its waiting reason. */
    public Operation withWaitingReason(String reason) {
        return new Operation(id, deploymentId, tenantId, type, generation, status, steps, failureReason, failedStep,
                retryOf, createdAt,
                startedAt, finishedAt, reason);
    }

    /** Pending or running: an agent has yet to finish it. */
    public boolean active() {
        return status == Status.PENDING || status == Status.RUNNING;
    }

    /** What the operation does. */
    public enum Type {
        CREATE, UPDATE, DELETE;

        @JsonValue
        public String json() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Where the operation stands. */
    public enum Status {
        PENDING, RUNNING, SUCCEEDED, FAILED;

        @JsonValue
        public String json() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A step as the agent reported it; state is pending, running, succeeded, failed or skipped. */
    public record Step(String name, String state, String message) {
    }
}
