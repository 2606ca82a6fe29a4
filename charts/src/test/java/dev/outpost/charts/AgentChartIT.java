package dev.outpost.charts;

import static dev.outpost.charts.Rendered.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.outpost.testcluster.KubeCluster;
import dev.outpost.testcluster.KubeClusterExtension;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every object the agent chart renders, for each values set, applied to a real API server (server-side
 * apply, no dry run): the API server's validation and admission accept them all. Then the agent's
 * ServiceAccount is used as the agent would use it, to show the RBAC grants what it needs and no more.
 */
@ExtendWith(KubeClusterExtension.class)
class AgentChartIT {
    private final KubeCluster cluster;
    private final KubernetesClient admin;

    @TempDir
    Path work;

    AgentChartIT(KubeCluster cluster) {
        this.cluster = cluster;
        this.admin = cluster.adminClient();
    }

    @Test
    void defaultsApplyAndTheAgentRunsWithItsRolesInTheManagedNamespacesOnly() {
        String ns = cluster.newNamespace("agent-defaults");
        String apps = cluster.newNamespace("acme-apps");
        String elsewhere = cluster.newNamespace("not-managed");
        Rendered objects = Charts.render(Charts.AGENT, "defaults", ns, AgentValues.defaults(apps), work);

        List<HasMetadata> stored = ClusterApply.applyAll(admin, objects);

        assertThat(stored).hasSameSizeAs(objects.objects());
        String name = "defaults-outpost-agent";
        ClusterApply.volumeFor(admin, ns, name + "-state", "1Gi");
        ClusterApply.awaitAvailable(admin, ns, name);
        try (KubernetesClient agent = cluster.serviceAccountClient(ns, name)) {
            agent.configMaps().inNamespace(apps).resource(configMap("made-by-the-agent")).create();
            assertThat(agent.pods().inNamespace(apps).list().getItems()).isEmpty();
            assertForbidden(() -> agent.configMaps().inNamespace(elsewhere).resource(configMap("nope")).create());
            assertForbidden(() -> agent.nodes().list());
            assertForbidden(() -> agent.namespaces().resource(namespace("agent-made", Map.of())).create());
        }
    }

    @Test
    void proxyAndCustomCaApply() {
        String ns = cluster.newNamespace("agent-proxy");
        String apps = cluster.newNamespace("acme-apps");
        admin.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("corp-ca").endMetadata()
                .addToData("bundle.pem", "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n").build()).create();
        admin.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("proxy-login").endMetadata()
                .addToStringData("username", "agent").addToStringData("password", "s3cret").build()).create();
        Rendered objects = Charts.render(Charts.AGENT, "proxy", ns, AgentValues.proxyAndCustomCa(apps), work);

        ClusterApply.applyAll(admin, objects);

        String name = "proxy-outpost-agent";
        ClusterApply.volumeFor(admin, ns, name + "-state", "1Gi");
        ClusterApply.awaitAvailable(admin, ns, name);
        assertThat(admin.apps().deployments().inNamespace(ns).withName(name).get().getSpec().getTemplate().getSpec()
                .getContainers().getFirst().getEnv()).anySatisfy(env -> {
                    assertThat(env.getName()).isEqualTo("HTTPS_PROXY");
                    assertThat(env.getValue()).isEqualTo(AgentValues.PROXY);
                });
    }

    @Test
    void aPrivateRegistryApplies() {
        String ns = cluster.newNamespace("agent-registry");
        String apps = cluster.newNamespace("acme-apps");
        Rendered objects = Charts.render(Charts.AGENT, "registry", ns, AgentValues.privateRegistry(apps), work);

        ClusterApply.applyAll(admin, objects);

        assertThat(admin.apps().deployments().inNamespace(ns).withName("registry-outpost-agent").get().getSpec().getTemplate()
                .getSpec().getContainers().getFirst().getImage()).isEqualTo("myregistry.example/outpost/outpost-agent:1.2.3");
    }

    @Test
    void clusterScopeLetsTheAgentWorkInAnyNamespaceAndReadNodes() {
        String ns = cluster.newNamespace("agent-cluster");
        String apps = cluster.newNamespace("acme-apps");
        String other = cluster.newNamespace("any-other");
        Rendered objects = Charts.render(Charts.AGENT, "cluster", ns, AgentValues.clusterScope(apps), work);

        ClusterApply.applyAll(admin, objects);

        try (KubernetesClient agent = cluster.serviceAccountClient(ns, "cluster-outpost-agent")) {
            agent.configMaps().inNamespace(other).resource(configMap("anywhere")).create();
            assertThat(agent.nodes().list().getItems()).isNotEmpty();
            assertThat(agent.storage().v1().storageClasses().list().getItems()).isEmpty();
            assertForbidden(() -> agent.namespaces().resource(namespace("agent-made", Map.of())).create());
        }
    }

    @Test
    void perDeploymentLetsTheAgentMakeLabelledNamespacesAndBindItselfOnlyThere() {
        String ns = cluster.newNamespace("agent-perdep");
        Rendered objects = Charts.render(Charts.AGENT, "perdep", ns, AgentValues.perDeployment(), work);

        ClusterApply.applyAll(admin, objects);

        String name = "perdep-outpost-agent";
        String made = ns + "-d1";
        try (KubernetesClient agent = cluster.serviceAccountClient(ns, name)) {
            // The API server loads a new admission policy within a second or so: until then unlabelled creates pass.
            await().atMost(ClusterApply.WAIT).until(() -> refused(() -> agent.namespaces()
                    .resource(namespace(ns + "-unlabelled", Map.of())).dryRun().create()));
            assertThatThrownBy(() -> agent.namespaces().resource(namespace(ns + "-unlabelled", Map.of())).create())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403))
                    .hasMessageContaining("must carry the label outpost.dev/managed-by=outpost-agent");

            agent.namespaces().resource(namespace(made, Map.of("outpost.dev/managed-by", "outpost-agent"))).create();
            agent.rbac().roleBindings().inNamespace(made).resource(selfBinding(made, ns, name)).create();
            await().atMost(ClusterApply.WAIT).ignoreException(KubernetesClientException.class).untilAsserted(() ->
                    agent.configMaps().inNamespace(made).resource(configMap("in-its-own")).create());

            String foreign = cluster.newNamespace("foreign");
            assertThatThrownBy(() -> agent.rbac().roleBindings().inNamespace(foreign).resource(selfBinding(foreign, ns, name)).create())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403))
                    .hasMessageContaining("only in namespaces it created");
            assertForbidden(() -> agent.configMaps().inNamespace(foreign).resource(configMap("nope")).create());
        }
        assertThat(at(objects.one("ClusterRole", "outpost-agent-deployer"), "metadata.name")).isEqualTo("outpost-agent-deployer");
    }

    private static boolean refused(Runnable call) {
        try {
            call.run();
            return false;
        } catch (KubernetesClientException e) {
            return e.getCode() == 403;
        }
    }

    private static void assertForbidden(Runnable call) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(KubernetesClientException.class,
                e -> assertThat(e.getCode()).isEqualTo(403));
    }

    private static io.fabric8.kubernetes.api.model.ConfigMap configMap(String name) {
        return new ConfigMapBuilder().withNewMetadata().withName(name).endMetadata().addToData("k", "v").build();
    }

    private static io.fabric8.kubernetes.api.model.Namespace namespace(String name, Map<String, String> labels) {
        return new NamespaceBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata().build();
    }

    /** The RoleBinding the agent makes in a namespace it created: itself, to the deployer ClusterRole. */
    private static io.fabric8.kubernetes.api.model.rbac.RoleBinding selfBinding(String namespace, String agentNamespace, String serviceAccount) {
        return new RoleBindingBuilder().withNewMetadata().withName("outpost-agent").withNamespace(namespace).endMetadata()
                .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole")
                .withName("outpost-agent-deployer").endRoleRef()
                .addNewSubject().withKind("ServiceAccount").withName(serviceAccount).withNamespace(agentNamespace).endSubject()
                .build();
    }
}
