package dev.outpost.agent.model;

import dev.outpost.agent.policy.ApplyPolicy;
import dev.outpost.agent.usage.PodTemplateLabels;
import dev.outpost.protocol.release.ContentHash;
import dev.outpost.protocol.release.ReleaseRendering;
import dev.outpost.protocol.release.TemplateException;
import dev.outpost.protocol.v1.ApplyDeployment;
import dev.outpost.protocol.v1.Release;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns an apply command into the {@link DesiredState}: render, parse, check, place, label, order.
 * Pure apart from the {@link KindCatalog} it asks whether a kind is namespaced, so everything that can
 * be wrong with a release is found here, before a single object reaches the cluster.
 *
 * <p>Cluster-scoped kinds (Namespace, CRDs, ClusterRoles, ...) are refused: the agent is trusted with
 * a set of namespaces, and a cluster-scoped object would reach beyond them (a ClusterRoleBinding can
 * grant anything). Kinds the cluster does not serve are refused too, naming the document, and so is
 * anything the customer's {@link ApplyPolicy} does not allow (kinds, container images).
 */
public final class DesiredStateBuilder {
    private final Set<String> allowedNamespaces;
    private final KindCatalog kinds;
    private final ApplyPolicy policy;

    /** {@code allowedNamespaces} is exact: an empty set allows nothing. No policy of the customer's. */
    public DesiredStateBuilder(Set<String> allowedNamespaces, KindCatalog kinds) {
        this(allowedNamespaces, kinds, ApplyPolicy.NONE);
    }

    /** As above, refusing what the customer's {@code policy} does not allow. */
    public DesiredStateBuilder(Set<String> allowedNamespaces, KindCatalog kinds, ApplyPolicy policy) {
        this.allowedNamespaces = Set.copyOf(allowedNamespaces);
        this.kinds = kinds;
        this.policy = policy;
    }

    /**
     * The desired state for {@code apply}.
     *
     * @throws PlanException naming the document and the reason when the release cannot be applied
     */
    public DesiredState build(String deploymentId, long generation, ApplyDeployment apply) {
        OutpostMetadata.checkDeploymentId(deploymentId);
        String namespace = apply.getNamespace();
        checkNamespace(namespace, "the command");
        String rendered = render(deploymentId, apply);
        return fromRendered(deploymentId, generation, namespace, rendered, ContentHash.of(rendered),
                "release " + apply.getRelease().getServiceName() + " " + apply.getRelease().getVersion());
    }

    /**
     * The desired state for YAML rendered already (a package plan step, rendered by the hub): parsed,
     * checked, placed in {@code namespace}, labelled with {@code contentHash} and ordered, as for a release.
     *
     * @param what names the source in messages, e.g. "release redis 1.0.0" or "step `redis`"
     */
    public DesiredState fromRendered(String deploymentId, long generation, String namespace, String rendered,
                                     String contentHash, String what) {
        OutpostMetadata.checkDeploymentId(deploymentId);
        checkNamespace(namespace, "the command");
        List<ManifestDocument> documents = ManifestParser.parse(rendered);
        if (documents.isEmpty()) {
            throw new PlanException(what + " renders to no objects");
        }
        Map<String, ManifestDocument> seen = new HashMap<>();
        List<GenericKubernetesResource> objects = new ArrayList<>();
        for (ManifestDocument document : documents) {
            GenericKubernetesResource object = document.object();
            place(document, namespace);
            policy.refusal(object.getKind(), object.getAdditionalProperties()).ifPresent(reason -> {
                throw new PlanException(document.describe() + ": " + reason);
            });
            ManifestDocument earlier = seen.putIfAbsent(ObjectRef.of(object).identity(), document);
            if (earlier != null) {
                throw new PlanException(document.describe() + " repeats the object of document " + earlier.number());
            }
            OutpostMetadata.stamp(object, deploymentId, generation, contentHash);
            // pods carry the deployment's label too, so usage metering can attribute them
            PodTemplateLabels.stamp(object, deploymentId);
            objects.add(object);
        }
        objects.sort(Comparator.comparing(ObjectRef::of, ApplyOrder.APPLY));
        return new DesiredState(deploymentId, generation, namespace, contentHash, objects);
    }

    /** Throws PlanException unless the agent may touch {@code namespace}. */
    public void checkNamespace(String namespace, String who) {
        if (namespace == null || namespace.isBlank()) {
            throw new PlanException(who + " names no namespace");
        }
        if (!allowedNamespaces.contains(namespace)) {
            throw new PlanException(who + " names namespace '" + namespace + "', which this agent may not touch"
                    + " (allowed: " + String.join(", ", new TreeSet<>(allowedNamespaces)) + ")");
        }
    }

    private static String render(String deploymentId, ApplyDeployment apply) {
        Release release = apply.getRelease();
        try {
            // the hub checked the parameters already; checked again so a bad hub cannot set built-ins or break YAML
            return ReleaseRendering.render(deploymentId, apply);
        } catch (TemplateException e) {
            throw new PlanException("release " + release.getServiceName() + " " + release.getVersion()
                    + " cannot be rendered: " + e.getMessage());
        }
    }

    private void place(ManifestDocument document, String defaultNamespace) {
        GenericKubernetesResource object = document.object();
        switch (kinds.scopeOf(object.getApiVersion(), object.getKind())) {
            case UNKNOWN -> throw new PlanException(document.describe() + ": the cluster does not serve kind "
                    + object.getKind() + " in apiVersion " + object.getApiVersion());
            case CLUSTER -> throw new PlanException(document.describe() + ": " + object.getKind()
                    + " is cluster-scoped; the agent only manages objects inside its allowed namespaces");
            case NAMESPACED -> {
                if (object.getMetadata().getNamespace() == null || object.getMetadata().getNamespace().isEmpty()) {
                    object.getMetadata().setNamespace(defaultNamespace);
                }
                checkNamespace(object.getMetadata().getNamespace(), document.describe());
            }
        }
    }
}
