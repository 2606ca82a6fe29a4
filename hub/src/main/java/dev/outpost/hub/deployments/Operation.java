package dev.outpost.hub.deployments;

import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** One change to a deployment (create, update or delete) as an agent carries it out. */
public record Operation(
        String id,
        String deploymentId,
        String tenantId,
        Type type,
        long generation,
        Status status,
        List<Step> steps,
        String failureReason,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt) {

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
