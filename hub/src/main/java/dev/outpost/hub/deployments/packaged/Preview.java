package dev.outpost.hub.deployments.packaged;

import java.util.List;
import java.util.Map;

/**
 * REST: what a change to a deployment would apply, and how it differs from what the deployment's
 * current operation was planned to apply. Secret data are redacted; nothing is stored.
 */
public record Preview(String deploymentId, String releaseId, String plan, String namespace, String namespaceMode,
                      List<Step> steps, Diff diff) {

    /** One step of the plan with what it applies. */
    public record Step(String name, List<String> dependsOn, String inputHash, Gate gate, List<ObjectShown> objects) {
    }

    /** The step's health gate: workloads-ready, job-succeeded, http or none, and its timeout. */
    public record Gate(String type, int timeoutSeconds, String target) {
    }

    /** One object (or infrastructure item) as it would be applied; Secret values redacted. */
    public record ObjectShown(String apiVersion, String kind, String namespace, String name,
                              Map<String, Object> manifest) {
    }

    /** An object named, without its content. */
    public record ObjectRef(String step, String apiVersion, String kind, String namespace, String name) {
        static ObjectRef of(PlannedObject o) {
            return new ObjectRef(o.step(), o.apiVersion(), o.kind(), o.namespace(), o.name());
        }
    }

    /** An object that changes and the field paths that differ. */
    public record ChangedObject(String step, String apiVersion, String kind, String namespace, String name,
                                List<String> fields) {
    }

    /** Against the deployment's current desired state (empty lists: no change). */
    public record Diff(List<ObjectRef> added, List<ObjectRef> removed, List<ChangedObject> changed) {
    }
}
