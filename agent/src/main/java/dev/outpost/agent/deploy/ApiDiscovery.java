package dev.outpost.agent.deploy;

import dev.outpost.agent.model.KindCatalog;
import dev.outpost.agent.model.KindScope;
import dev.outpost.agent.model.ObjectRef;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.net.HttpURLConnection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Answers from the API server's discovery documents how a kind is served (namespaced or not, its
 * plural). One instance serves one command, so CRDs installed meanwhile are seen by the next command.
 * Discovery is open to every authenticated identity, so the agent needs no extra RBAC for it.
 */
final class ApiDiscovery implements KindCatalog {
    private final KubernetesClient client;
    private final Map<String, List<APIResource>> byApiVersion = new HashMap<>();

    ApiDiscovery(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public KindScope scopeOf(String apiVersion, String kind) {
        return find(apiVersion, kind)
                .map(resource -> Boolean.TRUE.equals(resource.getNamespaced()) ? KindScope.NAMESPACED : KindScope.CLUSTER)
                .orElse(KindScope.UNKNOWN);
    }

    /** How to address objects like {@code ref}, or empty when the cluster does not serve the kind. */
    Optional<ResourceDefinitionContext> contextFor(ObjectRef ref) {
        return contextFor(ref.apiVersion(), ref.kind());
    }

    /** How to address objects of a kind, or empty when the cluster does not serve it. */
    Optional<ResourceDefinitionContext> contextFor(String apiVersion, String kind) {
        return find(apiVersion, kind).map(resource -> ResourceDefinitionContext.fromApiResource(apiVersion, resource));
    }

    private Optional<APIResource> find(String apiVersion, String kind) {
        return byApiVersion.computeIfAbsent(apiVersion, this::load).stream()
                // "deployments/scale" and friends are subresources, not the kind itself
                .filter(resource -> kind.equals(resource.getKind()) && !resource.getName().contains("/"))
                .findFirst();
    }

    private List<APIResource> load(String apiVersion) {
        try {
            APIResourceList list = client.getApiResources(apiVersion);
            return list == null || list.getResources() == null ? List.of() : list.getResources();
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
                return List.of();
            }
            throw e;
        }
    }
}
