package dev.outpost.testcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Proves the test cluster behaves like a real one: each test works in its own namespace. */
@ExtendWith(KubeClusterExtension.class)
class KubeClusterIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private final KubeCluster cluster;
    private final KubernetesClient admin;

    KubeClusterIT(KubeCluster cluster) {
        this.cluster = cluster;
        this.admin = cluster.adminClient();
    }

    @Test
    void serverSideApplyConflictsBetweenFieldManagersAndForceTakesTheFieldOver() {
        String ns = cluster.newNamespace("ssa");
        admin.configMaps().inNamespace(ns).resource(configMap(ns, "shared", "from-a")).fieldManager("manager-a")
                .serverSideApply();

        assertThatThrownBy(() -> admin.configMaps().inNamespace(ns).resource(configMap(ns, "shared", "from-b"))
                .fieldManager("manager-b").serverSideApply())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409))
                .hasMessageContaining("conflict");

        ConfigMap forced = admin.configMaps().inNamespace(ns).resource(configMap(ns, "shared", "from-b"))
                .fieldManager("manager-b").forceConflicts().serverSideApply();

        assertThat(forced.getData()).containsEntry("key", "from-b");
        assertThat(ownersOf(forced, "f:key")).containsExactly("manager-b");
    }

    @Test
    void serviceAccountBoundToARoleMayWriteInItsNamespaceOnly() throws Exception {
        String home = cluster.newNamespace("rbac-a");
        String elsewhere = cluster.newNamespace("rbac-b");
        admin.serviceAccounts().inNamespace(home).resource(new ServiceAccountBuilder()
                .withNewMetadata().withName("writer").endMetadata().build()).create();
        admin.rbac().roles().inNamespace(home).resource(new RoleBuilder()
                .withNewMetadata().withName("configmap-writer").endMetadata()
                .addNewRule().withApiGroups("").withResources("configmaps").withVerbs("create", "get", "list").endRule()
                .build()).create();
        admin.rbac().roleBindings().inNamespace(home).resource(new RoleBindingBuilder()
                .withNewMetadata().withName("writer").endMetadata()
                .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("Role").withName("configmap-writer")
                .endRoleRef()
                .addNewSubject().withKind("ServiceAccount").withName("writer").withNamespace(home).endSubject()
                .build()).create();

        try (KubernetesClient writer = cluster.serviceAccountClient(home, "writer")) {
            // The RBAC authorizer reads bindings from its informer: allow it a moment to see the new one.
            await().atMost(WAIT).ignoreException(KubernetesClientException.class).untilAsserted(() ->
                    assertThat(writer.configMaps().inNamespace(home).resource(configMap(home, "allowed", "yes")).create())
                            .isNotNull());

            assertThatThrownBy(() -> writer.configMaps().inNamespace(elsewhere)
                    .resource(configMap(elsewhere, "denied", "no")).create())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
        }
        assertThat(admin.configMaps().inNamespace(home).withName("allowed").get().getData()).containsEntry("key", "yes");
    }

    @Test
    void serviceAccountKubeconfigFileActsAsTheServiceAccount(@TempDir Path dir) throws Exception {
        String ns = cluster.newNamespace("sa-kubeconfig");
        Path file = cluster.writeServiceAccountKubeconfig(ns, "default", dir.resolve("kubeconfig"));

        // Read back exactly as another process would: a kubeconfig file, nothing else.
        try (KubernetesClient client = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(Files.readString(file))).build()) {
            assertThat(client.getNamespace()).isEqualTo(ns);
            // The default ServiceAccount has no permissions: authenticated, but forbidden.
            assertThatThrownBy(() -> client.configMaps().inNamespace(ns).list())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                        assertThat(e.getCode()).isEqualTo(403);
                        assertThat(e.getMessage()).contains("system:serviceaccount:" + ns + ":default");
                    });
        }
    }

    @Test
    void deploymentPodsAreScheduledOntoKwokNodesAndBecomeAvailable() {
        String ns = cluster.newNamespace("deploy");
        Deployment deployment = new DeploymentBuilder()
                .withNewMetadata().withName("web").endMetadata()
                .withNewSpec()
                    .withReplicas(2)
                    .withNewSelector().addToMatchLabels("app", "web").endSelector()
                    .withNewTemplate()
                        .withNewMetadata().addToLabels("app", "web").endMetadata()
                        .withNewSpec()
                            .addNewContainer().withName("web").withImage("registry.invalid/web:1").endContainer()
                        .endSpec()
                    .endTemplate()
                .endSpec()
                .build();
        admin.apps().deployments().inNamespace(ns).resource(deployment).create();

        await().atMost(WAIT).untilAsserted(() -> assertThat(
                admin.apps().deployments().inNamespace(ns).withName("web").get().getStatus().getAvailableReplicas())
                .isEqualTo(2));
        List<Pod> pods = admin.pods().inNamespace(ns).withLabel("app", "web").list().getItems();
        assertThat(pods).hasSize(2).allSatisfy(pod -> {
            assertThat(pod.getSpec().getNodeName()).startsWith("kwok-node-");
            assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
        });
    }

    @Test
    void customResourceDefinitionBecomesEstablishedAndItsResourcesCanBeCreatedAndWatched() {
        String ns = cluster.newNamespace("crd");
        CustomResourceDefinition crd = new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName("widgets.it.outpost.dev").endMetadata()
                .withNewSpec()
                    .withGroup("it.outpost.dev")
                    .withScope("Namespaced")
                    .withNewNames().withPlural("widgets").withSingular("widget").withKind("Widget").endNames()
                    .addNewVersion()
                        .withName("v1").withServed(true).withStorage(true)
                        .withNewSchema().withNewOpenAPIV3Schema()
                            .withType("object")
                            .addToProperties("spec", new io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsBuilder()
                                    .withType("object").withXKubernetesPreserveUnknownFields(true).build())
                        .endOpenAPIV3Schema().endSchema()
                    .endVersion()
                .endSpec()
                .build();
        admin.apiextensions().v1().customResourceDefinitions().resource(crd).serverSideApply();
        await().atMost(WAIT).until(() -> admin.apiextensions().v1().customResourceDefinitions()
                .withName("widgets.it.outpost.dev").get().getStatus().getConditions().stream()
                .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus())));

        ResourceDefinitionContext widgets = new ResourceDefinitionContext.Builder()
                .withGroup("it.outpost.dev").withVersion("v1").withPlural("widgets").withKind("Widget").withNamespaced(true)
                .build();
        List<String> seen = new CopyOnWriteArrayList<>();
        Watch watch = admin.genericKubernetesResources(widgets).inNamespace(ns).watch(recorder(seen));
        try {
            admin.genericKubernetesResources(widgets).inNamespace(ns).resource(new GenericKubernetesResourceBuilder()
                    .withApiVersion("it.outpost.dev/v1").withKind("Widget")
                    .withNewMetadata().withName("gizmo").endMetadata()
                    .addToAdditionalProperties("spec", Map.of("size", 3))
                    .build()).create();

            await().atMost(WAIT).untilAsserted(() -> assertThat(seen).containsExactly("ADDED gizmo"));
        } finally {
            watch.close();
        }
        GenericKubernetesResource stored = admin.genericKubernetesResources(widgets).inNamespace(ns).withName("gizmo").get();
        assertThat(stored.<Integer>get("spec", "size")).isEqualTo(3);
    }

    @Test
    void watchSeesAddModifyDeleteMadeByAnotherClient() throws Exception {
        String ns = cluster.newNamespace("watch");
        List<String> seen = new CopyOnWriteArrayList<>();
        // Watching one name: the namespace also holds kube-root-ca.crt, published by the controller-manager.
        Watch watch = admin.configMaps().inNamespace(ns).withName("watched").watch(recorder(seen));
        // The other client is built from the admin kubeconfig file, as a separate process would.
        try (KubernetesClient other = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(Files.readString(cluster.kubeconfig()))).build()) {
            other.configMaps().inNamespace(ns).resource(configMap(ns, "watched", "v1")).create();
            other.configMaps().inNamespace(ns).withName("watched").edit(cm -> new ConfigMapBuilder(cm)
                    .addToData("key", "v2").build());
            other.configMaps().inNamespace(ns).withName("watched").delete();

            await().atMost(WAIT).untilAsserted(() -> assertThat(seen)
                    .containsExactly("ADDED watched", "MODIFIED watched", "DELETED watched"));
        } finally {
            watch.close();
        }
    }

    private static ConfigMap configMap(String namespace, String name, String value) {
        return new ConfigMapBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .addToData("key", value)
                .build();
    }

    /** The managers whose managedFields entry owns {@code f:data/<field>}. */
    private static List<String> ownersOf(ConfigMap configMap, String field) {
        return configMap.getMetadata().getManagedFields().stream()
                .filter(entry -> ownsDataField(entry, field))
                .map(ManagedFieldsEntry::getManager)
                .toList();
    }

    @SuppressWarnings("unchecked")
    private static boolean ownsDataField(ManagedFieldsEntry entry, String field) {
        if (entry.getFieldsV1() == null) {
            return false;
        }
        Object data = entry.getFieldsV1().getAdditionalProperties().get("f:data");
        return data instanceof Map<?, ?> fields && ((Map<String, Object>) fields).containsKey(field);
    }

    private static <T extends io.fabric8.kubernetes.api.model.HasMetadata> Watcher<T> recorder(List<String> seen) {
        return new Watcher<>() {
            @Override
            public void eventReceived(Action action, T resource) {
                seen.add(action + " " + resource.getMetadata().getName());
            }

            @Override
            public void onClose(WatcherException cause) {
                // Closed by the test's try-with-resources; a failure shows up as missing events.
            }
        };
    }
}
