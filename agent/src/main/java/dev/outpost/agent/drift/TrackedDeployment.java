package dev.outpost.agent.drift;

import dev.outpost.protocol.GrpcLimits;
import dev.outpost.protocol.v1.DriftReport;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the agent watches for one deployment: the objects as last applied, the policy, and the drift
 * seen so far. Kept in the state directory, so drift survives an agent restart.
 *
 * @param policy {@code REPORT} or {@code HEAL}
 * @param reported whether the hub has been sent the current drift list
 */
public record TrackedDeployment(String deploymentId, Policy policy, List<AppliedObject> objects,
                                List<DriftEntry> drift, boolean reported) {

    /** What the agent does about drift. */
    public enum Policy {
        REPORT, HEAL
    }

    public TrackedDeployment {
        objects = List.copyOf(objects);
        drift = List.copyOf(drift);
    }

    /** The applied object with this identity ({@code ObjectRef.identity()}). */
    Optional<AppliedObject> object(String identity) {
        return objects.stream().filter(o -> o.ref().identity().equals(identity)).findFirst();
    }

    Optional<DriftEntry> entry(String identity) {
        return drift.stream().filter(e -> e.ref().identity().equals(identity)).findFirst();
    }

    /** This deployment with the object's entry replaced by {@code entry} (removed when empty). */
    TrackedDeployment withEntry(String identity, Optional<DriftEntry> entry) {
        Map<String, DriftEntry> byIdentity = new LinkedHashMap<>();
        drift.forEach(e -> byIdentity.put(e.ref().identity(), e));
        entry.ifPresentOrElse(e -> byIdentity.put(identity, e), () -> byIdentity.remove(identity));
        List<DriftEntry> next = List.copyOf(byIdentity.values());
        return next.equals(drift) ? this : new TrackedDeployment(deploymentId, policy, objects, next, false);
    }

    TrackedDeployment markReported() {
        return reported ? this : new TrackedDeployment(deploymentId, policy, objects, drift, true);
    }

    /**
     * The report for the hub: every entry, oldest first, at most {@link GrpcLimits#MAX_DRIFTED_OBJECTS}
     * (the oldest are the ones an operator needs first; the rest follow once those are resolved).
     */
    DriftReport report() {
        return DriftReport.newBuilder().setDeploymentId(deploymentId)
                .addAllObjects(drift.stream()
                        .sorted(Comparator.comparingLong(DriftEntry::detectedAtMs)
                                .thenComparing(e -> e.ref().identity()))
                        .limit(GrpcLimits.MAX_DRIFTED_OBJECTS).map(DriftEntry::toProto).toList())
                .build();
    }
}
