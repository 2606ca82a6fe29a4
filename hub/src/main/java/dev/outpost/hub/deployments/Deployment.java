package dev.outpost.hub.deployments;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.outpost.hub.deployments.packaged.NamespaceMode;
import dev.outpost.hub.drift.DeploymentDrift;
import dev.outpost.hub.drift.DriftPolicy;
import dev.outpost.hub.drift.DriftedObject;
import io.micronaut.core.annotation.Nullable;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A release installed, with parameters, in one environment. {@code generation} counts the changes
 * asked for; {@code appliedGeneration} is the last one an agent reported as applied. {@code failedStep}
 * names the plan step the latest operation failed at, if it did; {@code revision} is the number of the
 * revision now applied (null until a create or update succeeds). {@code parameters} are strings for a
 * manifests release, any JSON values for a package release (never its secrets); {@code plan} is the
 * package's plan (null for a manifests release); {@code namespaceMode} says who owns the namespace.
 */
public record Deployment(
        String id,
        String tenantId,
        String environmentId,
        String releaseId,
        String name,
        String namespace,
        Map<String, Object> parameters,
        long generation,
        long appliedGeneration,
        String contentHash,
        Status status,
        String statusReason,
        String activeOperationId,
        String failedStep,
        Long revision,
        Instant createdAt,
        Instant updatedAt,
        String plan,
        NamespaceMode namespaceMode,
        DriftPolicy driftPolicy,
        List<DriftedObject> drift,
        @Nullable Instant driftedSince) {

    public Deployment {
        drift = drift == null ? List.of() : List.copyOf(drift);
    }

    /** This deployment showing {@code current} as its drift (drift is kept apart and joined when read). */
    public Deployment withDrift(DeploymentDrift current) {
        return new Deployment(id, tenantId, environmentId, releaseId, name, namespace, parameters, generation,
                appliedGeneration, contentHash, status, statusReason, activeOperationId, failedStep, revision, createdAt,
                updatedAt, plan, namespaceMode, driftPolicy, current.objects(), current.driftedSince());
    }

    /**
     * This deployment with {@code reason} as its status reason, when an operation is active and there is
     * none (a waiting reason is derived when read, never stored).
     */
    public Deployment withWaitingReason(String reason) {
        if (activeOperationId == null || statusReason != null || reason == null) {
            return this;
        }
        return new Deployment(id, tenantId, environmentId, releaseId, name, namespace, parameters, generation,
                appliedGeneration, contentHash, status, reason, activeOperationId, failedStep, revision, createdAt,
                updatedAt, plan, namespaceMode, driftPolicy, drift, driftedSince);
    }

    /** Where a deployment stands. */
    public enum Status {
        PENDING, PROGRESSING, READY, FAILED, DELETING, DELETED;

        @JsonValue
        public String json() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
