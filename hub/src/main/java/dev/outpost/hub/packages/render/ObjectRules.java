package dev.outpost.hub.packages.render;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a package's rendered objects may be: namespaced objects in the deployment's namespace, and
 * cluster-scoped kinds only when {@code outpost.yaml} declares them in {@code clusterScopedKinds}.
 */
public final class ObjectRules {
    /** Kubernetes kinds that are cluster-scoped: a package may create them only when it declares them. */
    public static final Set<String> CLUSTER_SCOPED_KINDS = Set.of(
            "Namespace", "Node", "PersistentVolume", "ClusterRole", "ClusterRoleBinding",
            "CustomResourceDefinition", "StorageClass", "VolumeAttachment", "CSIDriver", "CSINode",
            "PriorityClass", "PriorityLevelConfiguration", "FlowSchema", "RuntimeClass", "IngressClass",
            "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
            "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding",
            "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding", "APIService",
            "CertificateSigningRequest", "ComponentStatus", "ClusterTrustBundle", "DeviceClass",
            "IPAddress", "ServiceCIDR", "VolumeAttributesClass", "SelfSubjectReview",
            "TokenReview", "SubjectAccessReview", "SelfSubjectAccessReview", "SelfSubjectRulesReview",
            "PodSecurityPolicy");

    private ObjectRules() {
    }

    /**
     * Every rule the objects break, each a message naming the object.
     *
     * @param declaredClusterScoped the kinds the package declares it creates cluster-wide
     * @param namespace             the deployment's namespace
     */
    public static List<String> check(List<RenderedObject> objects, Set<String> declaredClusterScoped, String namespace) {
        List<String> problems = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (RenderedObject o : objects) {
            boolean clusterScoped = CLUSTER_SCOPED_KINDS.contains(o.kind());
            if (clusterScoped && !declaredClusterScoped.contains(o.kind())) {
                problems.add("renders " + o.label() + ", a cluster-scoped " + o.kind()
                        + "; add " + o.kind() + " to clusterScopedKinds in outpost.yaml if the package needs it");
            }
            if (!clusterScoped && o.namespace() != null && !o.namespace().equals(namespace)) {
                problems.add("renders " + o.label() + " in namespace '" + o.namespace()
                        + "'; objects go to the deployment's namespace (use .Release.Namespace or leave it out)");
            }
            String key = o.apiVersion().replaceAll("/.*", "") + "/" + o.kind() + "/" + o.name();
            if (!seen.add(key)) {
                problems.add("renders " + o.label() + " more than once");
            }
        }
        return problems;
    }
}
