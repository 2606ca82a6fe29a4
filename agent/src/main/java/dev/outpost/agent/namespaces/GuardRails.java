package dev.outpost.agent.namespaces;

import dev.outpost.protocol.v1.DeploymentPlan;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.LimitRangeBuilder;
import io.fabric8.kubernetes.api.model.LimitRangeItemBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The objects that fence a deployment's namespace in, built from its plan: pure, so the rules are
 * tested without a cluster. Every object carries the namespace's ownership labels.
 */
public final class GuardRails {
    public static final String NETWORK_POLICY = "outpost-default-deny-ingress";
    public static final String RESOURCE_QUOTA = "outpost-quota";
    public static final String LIMIT_RANGE = "outpost-container-defaults";
    /** Most entries in a plan's namespace_quota or container_default_limits. */
    public static final int MAX_ENTRIES = 32;
    private static final int MAX_KEY_CHARS = 253;
    private static final int MAX_VALUE_CHARS = 64;
    // A resource name: a DNS-subdomain-like qualified name ("requests.cpu", "count/deployments.apps").
    private static final Pattern RESOURCE_NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?");
    // A non-negative Kubernetes quantity: "2", "500m", "1.5Gi", "1e3".
    private static final Pattern QUANTITY = Pattern.compile(
            "(\\d+(\\.\\d*)?|\\.\\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\\d+)?");

    private GuardRails() {
    }

    /** Denies all ingress to the namespace's pods except from pods in the same namespace. */
    public static NetworkPolicy networkPolicy(String namespace, String deploymentId) {
        return new NetworkPolicyBuilder()
                .withNewMetadata().withName(NETWORK_POLICY).withNamespace(namespace)
                .withLabels(NamespaceOwnership.labels(deploymentId)).endMetadata()
                .withNewSpec()
                .withNewPodSelector().endPodSelector() // every pod of the namespace
                .withPolicyTypes("Ingress")
                // A peer with only a podSelector means pods of this namespace; nothing else is allowed in.
                .withIngress(new NetworkPolicyIngressRuleBuilder()
                        .withFrom(new NetworkPolicyPeerBuilder().withNewPodSelector().endPodSelector().build())
                        .build())
                .endSpec()
                .build();
    }

    /** The plan's ResourceQuota, or empty when the plan asks for none. */
    public static Optional<ResourceQuota> resourceQuota(String namespace, String deploymentId, DeploymentPlan plan)
            throws NamespaceException {
        Map<String, Quantity> hard = quantities("namespace_quota", plan.getNamespaceQuotaMap());
        if (hard.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new ResourceQuotaBuilder()
                .withNewMetadata().withName(RESOURCE_QUOTA).withNamespace(namespace)
                .withLabels(NamespaceOwnership.labels(deploymentId)).endMetadata()
                .withNewSpec().withHard(hard).endSpec()
                .build());
    }

    /** The plan's default container limits as a LimitRange, or empty when the plan asks for none. */
    public static Optional<LimitRange> limitRange(String namespace, String deploymentId, DeploymentPlan plan)
            throws NamespaceException {
        Map<String, Quantity> limits = quantities("container_default_limits", plan.getContainerDefaultLimitsMap());
        if (limits.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new LimitRangeBuilder()
                .withNewMetadata().withName(LIMIT_RANGE).withNamespace(namespace)
                .withLabels(NamespaceOwnership.labels(deploymentId)).endMetadata()
                .withNewSpec().withLimits(new LimitRangeItemBuilder().withType("Container").withDefault(limits).build())
                .endSpec()
                .build());
    }

    /** The entries as quantities, sorted (so the same plan always gives the same object); bad ones are named. */
    public static Map<String, Quantity> quantities(String field, Map<String, String> entries) throws NamespaceException {
        if (entries.size() > MAX_ENTRIES) {
            throw new NamespaceException("plan." + field + " has " + entries.size() + " entries; at most " + MAX_ENTRIES
                    + " are allowed");
        }
        Map<String, Quantity> result = new TreeMap<>();
        for (Map.Entry<String, String> entry : new TreeMap<>(entries).entrySet()) {
            String key = entry.getKey();
            String value = entry.getValue().strip();
            if (key.length() > MAX_KEY_CHARS || !RESOURCE_NAME.matcher(key).matches()) {
                throw new NamespaceException("plan." + field + ": '" + shorten(key) + "' is not a resource name "
                        + "(e.g. requests.cpu, limits.memory, pods)");
            }
            if (value.length() > MAX_VALUE_CHARS || !QUANTITY.matcher(value).matches()) {
                throw new NamespaceException("plan." + field + "[" + key + "]: '" + shorten(value)
                        + "' is not a Kubernetes quantity (e.g. 2, 500m, 512Mi, 1Gi)");
            }
            result.put(key, new Quantity(value));
        }
        return result;
    }

    private static String shorten(String text) {
        return text.length() <= 80 ? text : text.substring(0, 79) + "…";
    }
}
