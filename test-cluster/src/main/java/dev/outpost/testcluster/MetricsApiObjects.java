package dev.outpost.testcluster;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.List;
import java.util.Map;

/**
 * The objects that register metrics-server with the apiserver's aggregator: an {@code ExternalName}
 * Service naming {@code localhost} (the aggregator dials an ExternalName Service's name directly, and
 * metrics-server runs on the host, not in a pod) and the {@code v1beta1.metrics.k8s.io} APIService.
 */
final class MetricsApiObjects {
    static final String NAMESPACE = "kube-system";
    static final String SERVICE = "metrics-server";
    static final String API_SERVICE = "v1beta1.metrics.k8s.io";
    private static final ResourceDefinitionContext API_SERVICES = new ResourceDefinitionContext.Builder()
            .withGroup("apiregistration.k8s.io").withVersion("v1").withKind("APIService")
            .withPlural("apiservices").withNamespaced(false).build();

    private MetricsApiObjects() {
    }

    /** Creates (or replaces) the Service and the APIService for a metrics-server on {@code localhost:port}. */
    static void apply(KubernetesClient admin, int port, String caCertPem) {
        Service service = new ServiceBuilder()
                .withNewMetadata().withName(SERVICE).withNamespace(NAMESPACE).endMetadata()
                .withNewSpec().withType("ExternalName").withExternalName("localhost").endSpec()
                .build();
        admin.services().resource(service).forceConflicts().serverSideApply();
        GenericKubernetesResource apiService = new GenericKubernetesResource();
        apiService.setApiVersion("apiregistration.k8s.io/v1");
        apiService.setKind("APIService");
        apiService.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(API_SERVICE).build());
        apiService.setAdditionalProperties(Map.of("spec", Map.of(
                "group", "metrics.k8s.io",
                "version", "v1beta1",
                "groupPriorityMinimum", 100,
                "versionPriority", 100,
                // the aggregator verifies metrics-server's certificate (issued for metrics-server.kube-system.svc)
                "caBundle", Pem.base64(caCertPem),
                "service", Map.of("namespace", NAMESPACE, "name", SERVICE, "port", port))));
        admin.genericKubernetesResources(API_SERVICES).resource(apiService).forceConflicts().serverSideApply();
    }

    /** Whether the aggregator reports the APIService Available (it could reach metrics-server's discovery). */
    static boolean available(KubernetesClient admin) {
        GenericKubernetesResource apiService = admin.genericKubernetesResources(API_SERVICES).withName(API_SERVICE).get();
        if (apiService == null || !(apiService.getAdditionalProperties().get("status") instanceof Map<?, ?> status)
                || !(status.get("conditions") instanceof List<?> conditions)) {
            return false;
        }
        return conditions.stream().anyMatch(c -> c instanceof Map<?, ?> condition
                && "Available".equals(condition.get("type")) && "True".equals(condition.get("status")));
    }
}
