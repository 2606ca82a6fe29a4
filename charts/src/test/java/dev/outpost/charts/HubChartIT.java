package dev.outpost.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.testcluster.KubeCluster;
import dev.outpost.testcluster.KubeClusterExtension;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every object the hub chart renders, for each values set, applied to a real API server with
 * server-side apply (no dry run), and the hub's pods scheduled and available where the test cluster can.
 */
@ExtendWith(KubeClusterExtension.class)
class HubChartIT {
    private final KubeCluster cluster;
    private final KubernetesClient admin;

    @TempDir
    Path work;

    HubChartIT(KubeCluster cluster) {
        this.cluster = cluster;
        this.admin = cluster.adminClient();
    }

    @Test
    void defaultsApplyAndTheHubRunsOnItsClaim() {
        String ns = cluster.newNamespace("hub-defaults");
        Rendered objects = Charts.render(Charts.HUB, "defaults", ns, HubValues.defaults(), work);

        List<HasMetadata> stored = ClusterApply.applyAll(admin, objects);

        assertThat(stored).hasSameSizeAs(objects.objects());
        String name = "defaults-outpost-hub";
        ClusterApply.volumeFor(admin, ns, name + "-data", "5Gi");
        ClusterApply.awaitAvailable(admin, ns, name);
        assertThat(admin.services().inNamespace(ns).withName(name + "-gateway").get().getSpec().getPorts().getFirst().getPort())
                .isEqualTo(8443);
    }

    @Test
    void postgresReplicasApplyAndAllRunWithTheirSecrets() {
        String ns = cluster.newNamespace("hub-postgres");
        secret(ns, "hub-db", Map.of("password", "s3cret"));
        secret(ns, "hub-admin", Map.of("token", "opa_0123456789"));
        secret(ns, "hub-ca", Map.of("ca.crt", "-----BEGIN CERTIFICATE-----\n", "ca.key", "-----BEGIN EC PRIVATE KEY-----\n"));
        Rendered objects = Charts.render(Charts.HUB, "postgres", ns, HubValues.postgresReplicas(), work);

        ClusterApply.applyAll(admin, objects);

        String name = "postgres-outpost-hub";
        ClusterApply.awaitAvailable(admin, ns, name);
        assertThat(admin.apps().deployments().inNamespace(ns).withName(name).get().getStatus().getAvailableReplicas()).isEqualTo(3);
        assertThat(admin.policy().v1().podDisruptionBudget().inNamespace(ns).withName(name).get().getSpec()
                .getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(admin.services().inNamespace(ns).withName(name + "-gateway").get().getSpec().getType()).isEqualTo("LoadBalancer");
    }

    @Test
    void theServiceMonitorAndIngressApplyOnceTheOperatorsCrdIsThere() {
        installServiceMonitorCrd();
        String ns = cluster.newNamespace("hub-monitoring");
        Rendered objects = Charts.render(Charts.HUB, "monitoring", ns, HubValues.monitoringAndIngress(), work);

        // A CRD is served a moment after it is created; until then its kind is unknown.
        await().atMost(ClusterApply.WAIT).ignoreException(KubernetesClientException.class)
                .until(() -> ClusterApply.applyAll(admin, objects).size() == objects.objects().size());

        ResourceDefinitionContext monitors = new ResourceDefinitionContext.Builder().withGroup("monitoring.coreos.com")
                .withVersion("v1").withKind("ServiceMonitor").withPlural("servicemonitors").withNamespaced(true).build();
        assertThat(admin.genericKubernetesResources(monitors).inNamespace(ns).withName("monitoring-outpost-hub").get()).isNotNull();
        assertThat(admin.network().v1().ingresses().inNamespace(ns).withName("monitoring-outpost-hub").get()
                .getSpec().getRules().getFirst().getHost()).isEqualTo("api.vendor.example");
    }

    @Test
    void aPrivateRegistryApplies() {
        String ns = cluster.newNamespace("hub-registry");
        Rendered objects = Charts.render(Charts.HUB, "registry", ns, HubValues.privateRegistry(), work);

        ClusterApply.applyAll(admin, objects);

        assertThat(admin.apps().deployments().inNamespace(ns).withName("registry-outpost-hub").get().getSpec().getTemplate()
                .getSpec().getImagePullSecrets().getFirst().getName()).isEqualTo("regcred");
    }

    private void secret(String namespace, String name, Map<String, String> data) {
        admin.secrets().inNamespace(namespace).resource(new SecretBuilder().withNewMetadata().withName(name).endMetadata()
                .withStringData(data).build()).create();
    }

    /**
     * The Prometheus Operator's ServiceMonitor kind, with an open schema: enough for the API server to
     * store one. Applied, so a second run in the same cluster finds it unchanged.
     */
    private void installServiceMonitorCrd() {
        CustomResourceDefinition crd = new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName("servicemonitors.monitoring.coreos.com").endMetadata()
                .withNewSpec().withGroup("monitoring.coreos.com").withScope("Namespaced")
                .withNewNames().withKind("ServiceMonitor").withPlural("servicemonitors").withSingular("servicemonitor")
                .withListKind("ServiceMonitorList").endNames()
                .addNewVersion().withName("v1").withServed(true).withStorage(true)
                .withNewSchema().withNewOpenAPIV3Schema().withType("object").withXKubernetesPreserveUnknownFields(true)
                .endOpenAPIV3Schema().endSchema().endVersion()
                .endSpec().build();
        admin.apiextensions().v1().customResourceDefinitions().resource(crd)
                .fieldManager(ClusterApply.FIELD_MANAGER).forceConflicts().serverSideApply();
    }
}
