package dev.outpost.agent.model;

import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * The order objects are applied in, by kind: what others refer to comes first, so a Pod never starts
 * before its ConfigMap exists. Tiers, first to last:
 * <ol>
 *   <li>Namespace, CustomResourceDefinition</li>
 *   <li>identity and configuration: ServiceAccount, Secret, ConfigMap, PersistentVolumeClaim and RBAC</li>
 *   <li>Service</li>
 *   <li>workloads: Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod</li>
 *   <li>everything else (Ingress, HorizontalPodAutoscaler, PodDisruptionBudget, custom resources, ...),
 *       which usually points at the workloads</li>
 * </ol>
 * Within a tier the release's own order is kept. Pruning and deleting go the other way round.
 */
public final class ApplyOrder {
    private static final List<Set<String>> TIERS = List.of(
            Set.of("Namespace", "CustomResourceDefinition"),
            Set.of("ServiceAccount", "Secret", "ConfigMap", "PersistentVolumeClaim",
                    "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"),
            Set.of("Service"),
            Set.of("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"));

    /** Applying order; a stable sort with it keeps the release's order within a tier. */
    public static final Comparator<ObjectRef> APPLY = Comparator.comparingInt(ref -> tier(ref.kind()));

    /** Pruning and deleting order: workloads go before the configuration they use. */
    public static final Comparator<ObjectRef> REMOVE = APPLY.reversed();

    private ApplyOrder() {
    }

    /** The tier of a kind, 0 first. */
    public static int tier(String kind) {
        for (int i = 0; i < TIERS.size(); i++) {
            if (TIERS.get(i).contains(kind)) {
                return i;
            }
        }
        return TIERS.size();
    }
}
