package dev.outpost.hub.deployments.lifecycle;

import dev.outpost.hub.deployments.Deployment;
import dev.outpost.hub.deployments.Operation;
import dev.outpost.hub.deployments.packaged.NamespaceMode;
import dev.outpost.hub.drift.DriftPolicy;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Operations and deployments in a given state, for the lifecycle's unit tests. */
final class Fixtures {
    static final Instant T0 = Instant.parse("2026-12-03T12:00:00Z");

    private Fixtures() {
    }

    static Operation operation(Operation.Type type, Operation.Status status) {
        return operation(type, status, 2);
    }

    static Operation operation(Operation.Type type, Operation.Status status, long generation) {
        return new Operation("op_1", "dep_1", "ten_1", type, generation, status, List.of(), null, null, null, T0, null,
                null, null);
    }

    static Deployment deployment(Deployment.Status status, String activeOperationId) {
        return new Deployment("dep_1", "ten_1", "env_1", "rel_1", "cache", "apps", Map.of(), 2, 1, "sha256:ab", status,
                null, activeOperationId, null, 1L, T0, T0, null, NamespaceMode.EXISTING, DriftPolicy.REPORT, List.of(), null);
    }
}
