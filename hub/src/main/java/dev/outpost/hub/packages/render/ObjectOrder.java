package dev.outpost.hub.packages.render;

import java.util.Comparator;
import java.util.List;

/**
 * The deterministic order of a component's objects: by kind in the order Helm installs them (what
 * others need first: namespaces, CRDs, service accounts, config, then workloads), then kind, namespace
 * and name.
 */
public final class ObjectOrder {
    private static final List<String> KINDS = List.of(
            "Namespace", "CustomResourceDefinition", "NetworkPolicy", "ResourceQuota", "LimitRange",
            "PodSecurityPolicy", "PodDisruptionBudget", "ServiceAccount", "Secret", "ConfigMap",
            "StorageClass", "PersistentVolume", "PersistentVolumeClaim", "ClusterRole", "ClusterRoleBinding",
            "Role", "RoleBinding", "Service", "DaemonSet", "Pod", "ReplicationController", "ReplicaSet",
            "Deployment", "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass",
            "Ingress", "APIService");

    /** Objects in apply order. */
    public static final Comparator<RenderedObject> APPLY = Comparator
            .comparingInt((RenderedObject o) -> rank(o.kind()))
            .thenComparing(RenderedObject::kind)
            .thenComparing(o -> o.namespace() == null ? "" : o.namespace())
            .thenComparing(RenderedObject::name)
            .thenComparing(RenderedObject::apiVersion)
            .thenComparing(RenderedObject::yaml);

    private ObjectOrder() {
    }

    private static int rank(String kind) {
        int i = KINDS.indexOf(kind);
        return i < 0 ? KINDS.size() : i;
    }
}
