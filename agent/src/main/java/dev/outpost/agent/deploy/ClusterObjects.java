package dev.outpost.agent.deploy;

import dev.outpost.agent.model.ObjectRef;
import dev.outpost.agent.model.OutpostMetadata;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.FieldValidateable;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.net.HttpURLConnection;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** The few calls the executor makes on objects, addressed through API discovery. */
final class ClusterObjects {
    /** What a removal found. */
    enum Removal {
        DELETED, ALREADY_GONE,
        /** The object does not carry this deployment's label (someone else owns it), so it stays. */
        NOT_OURS
    }

    private final KubernetesClient client;
    private final ApiDiscovery discovery;
    private final String fieldManager;
    /** Told of every object applied (the drift watch's reference). */
    private final Consumer<GenericKubernetesResource> onApplied;

    ClusterObjects(KubernetesClient client, ApiDiscovery discovery, String fieldManager) {
        this(client, discovery, fieldManager, object -> { });
    }

    ClusterObjects(KubernetesClient client, ApiDiscovery discovery, String fieldManager,
                   Consumer<GenericKubernetesResource> onApplied) {
        this.client = client;
        this.discovery = discovery;
        this.fieldManager = fieldManager;
        this.onApplied = onApplied;
    }

    /**
     * Server-side applies an object as the agent's field manager, with force: the agent owns these
     * objects (ApplyStep checks the label first), so a field someone changed by hand (kubectl edit,
     * another controller) is taken back rather than failing the deployment on a conflict. Unknown fields fail the apply (strict
     * validation), so a typo in a release is reported instead of silently dropped.
     */
    GenericKubernetesResource apply(GenericKubernetesResource object) {
        GenericKubernetesResource live = operations(ObjectRef.of(object)).resource(object)
                .fieldValidation(FieldValidateable.Validation.STRICT)
                .fieldManager(fieldManager).forceConflicts().serverSideApply();
        onApplied.accept(object);
        return live;
    }

    /**
     * Tells the listener of an object that is in place as desired without applying it again (a plan
     * step unchanged since it last succeeded), so what it compares with stays complete.
     */
    void alreadyApplied(GenericKubernetesResource object) {
        onApplied.accept(object);
    }

    /** The live object, or empty when it does not exist. */
    Optional<GenericKubernetesResource> get(ObjectRef ref) {
        return Optional.ofNullable(resource(ref).get());
    }

    /** Deletes the object if it still belongs to the deployment (background propagation, the default). */
    Removal removeIfOwned(ObjectRef ref, String deploymentId) {
        Optional<GenericKubernetesResource> live = get(ref);
        if (live.isEmpty()) {
            return Removal.ALREADY_GONE;
        }
        if (!OutpostMetadata.belongsTo(live.get(), deploymentId)) {
            return Removal.NOT_OURS;
        }
        return resource(ref).delete().isEmpty() ? Removal.ALREADY_GONE : Removal.DELETED;
    }

    /**
     * Objects of one kind in one namespace that carry the deployment's labels; empty when the kind is
     * not served or the agent may not list it (then the inventory is all there is to go by).
     */
    List<ObjectRef> findLabelled(String apiVersion, String kind, String namespace, String deploymentId) {
        Optional<ResourceDefinitionContext> context = discovery.contextFor(apiVersion, kind);
        if (context.isEmpty()) {
            return List.of();
        }
        try {
            return client.genericKubernetesResources(context.get()).inNamespace(namespace)
                    .withLabels(OutpostMetadata.labels(deploymentId)).list().getItems().stream()
                    // list items come without apiVersion and kind, so those are taken from the query
                    .map(item -> new ObjectRef(apiVersion, kind,
                            item.getMetadata().getNamespace(), item.getMetadata().getName()))
                    .toList();
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_FORBIDDEN || e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
                return List.of();
            }
            throw e;
        }
    }

    private Resource<GenericKubernetesResource> resource(ObjectRef ref) {
        return operations(ref).withName(ref.name());
    }

    private NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList,
            Resource<GenericKubernetesResource>> operations(ObjectRef ref) {
        var objects = client.genericKubernetesResources(context(ref));
        return ref.namespace() == null ? objects : objects.inNamespace(ref.namespace());
    }

    private ResourceDefinitionContext context(ObjectRef ref) {
        return discovery.contextFor(ref).orElseThrow(() -> new KubernetesClientException(
                "the cluster does not serve kind " + ref.kind() + " in apiVersion " + ref.apiVersion()));
    }
}
