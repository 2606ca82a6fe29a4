package dev.outpost.hub.deployments.packaged;

import java.util.Map;

/**
 * One thing a plan makes exist: a Kubernetes object, or an infrastructure item (apiVersion
 * {@value #INFRASTRUCTURE}, kind the requirement's kind, its properties as the body).
 *
 * @param step       the plan step it belongs to
 * @param apiVersion e.g. "apps/v1"
 * @param kind       e.g. "StatefulSet"
 * @param namespace  "" for cluster-scoped objects and infrastructure
 * @param name       the object's name
 * @param body       the whole object as parsed (not redacted)
 */
public record PlannedObject(String step, String apiVersion, String kind, String namespace, String name,
                            Map<String, Object> body) {
    /** The apiVersion infrastructure items are shown under. */
    public static final String INFRASTRUCTURE = "outpost.dev/infrastructure";

    /** What identifies the object across two plans (not its step: a component may be renamed). */
    public String key() {
        return apiVersion + "/" + kind + "/" + namespace + "/" + name;
    }
}
