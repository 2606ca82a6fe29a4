package dev.outpost.agent.model;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

/**
 * When an applied workload counts as available. Deployments and StatefulSets are waited for; every
 * other kind is ready once the API server has accepted it.
 * <ul>
 *   <li>Deployment: the controller has seen the latest spec (observedGeneration &ge; generation), and
 *       updatedReplicas and availableReplicas reach spec.replicas (default 1).</li>
 *   <li>StatefulSet: observedGeneration &ge; generation, availableReplicas (readyReplicas on servers
 *       that do not report it) reach spec.replicas, and currentRevision equals updateRevision when the
 *       controller reports both (a rolling update has finished).</li>
 * </ul>
 */
public final class WorkloadReadiness {
    private WorkloadReadiness() {
    }

    /** Whether the agent waits for objects of this kind to become available. */
    public static boolean isWaitedFor(ObjectRef ref) {
        return "apps".equals(ref.group()) && ("Deployment".equals(ref.kind()) || "StatefulSet".equals(ref.kind()));
    }

    /** The readiness of a live Deployment or StatefulSet as read from the API server. */
    public static Readiness of(GenericKubernetesResource live) {
        long generation = live.getMetadata().getGeneration() == null ? 0 : live.getMetadata().getGeneration();
        long observed = number(live, "status", "observedGeneration", -1);
        if (observed < generation) {
            return Readiness.waiting("controller has not seen generation " + generation + " yet (observed "
                    + Math.max(observed, 0) + ")");
        }
        long wanted = number(live, "spec", "replicas", 1);
        return "StatefulSet".equals(live.getKind()) ? statefulSet(live, wanted) : deployment(live, wanted);
    }

    private static Readiness deployment(GenericKubernetesResource live, long wanted) {
        long updated = number(live, "status", "updatedReplicas", 0);
        long available = number(live, "status", "availableReplicas", 0);
        String counts = available + "/" + wanted + " replicas available, " + updated + "/" + wanted + " updated";
        return updated >= wanted && available >= wanted ? Readiness.ready(counts) : Readiness.waiting(counts);
    }

    private static Readiness statefulSet(GenericKubernetesResource live, long wanted) {
        long ready = number(live, "status", "readyReplicas", 0);
        long available = number(live, "status", "availableReplicas", ready);
        String counts = available + "/" + wanted + " replicas available";
        if (available < wanted) {
            return Readiness.waiting(counts);
        }
        String current = live.get("status", "currentRevision");
        String update = live.get("status", "updateRevision");
        if (current != null && update != null && !current.equals(update)) {
            return Readiness.waiting(counts + ", rolling update to " + update + " not finished");
        }
        return Readiness.ready(counts);
    }

    private static long number(GenericKubernetesResource live, String section, String field, long absent) {
        Object value = live.get(section, field);
        return value instanceof Number n ? n.longValue() : absent;
    }
}
