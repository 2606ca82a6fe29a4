package dev.outpost.agent.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.agent.AgentRun;
import dev.outpost.protocol.v1.AgentState;
import dev.outpost.protocol.v1.ClusterFacts;
import dev.outpost.testcluster.FreePorts;
import dev.outpost.testcluster.KubeCluster;
import dev.outpost.testcluster.KubeClusterExtension;
import dev.outpost.testcluster.Kubeconfig;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster check the agent runs before it enrols, against a real API server with RBAC: the agent
 * process's exit code and message for each way its access can be wrong, and that nothing is enrolled.
 */
@ExtendWith(KubeClusterExtension.class)
class ClusterPreflightIT {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterPreflightIT.class);
    private static final String AGENT = "outpost-agent";

    @TempDir
    Path dir;

    @Test
    void aNamespaceThatDoesNotExistStopsTheAgentBeforeEnrolment(KubeCluster cluster) {
        String present = cluster.newNamespace("pre");
        // cluster-admin may do anything anywhere, so only the dry-run create can tell the namespace is missing
        AgentRun run = AgentRun.start(dir, cluster.kubeconfig(), present + ",pre-missing");

        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.stderr()).contains("the join token was not used")
                .contains("namespace pre-missing does not exist. Fix: kubectl create namespace pre-missing")
                .doesNotContain("namespace " + present);
        assertThat(run.enrolled()).isFalse();
        LOG.info("missing namespace: exit {} after {} ms", run.exitCode(), run.millis());
    }

    @Test
    void withoutNamespacesTheAgentCreatesThemAndChecksItMayBeforeEnrolment(KubeCluster cluster) {
        String namespace = cluster.newNamespace("pre");
        serviceAccount(cluster, namespace);
        Path kubeconfig = cluster.writeServiceAccountKubeconfig(namespace, AGENT, dir.resolve("bare.yaml"));

        AgentRun run = AgentRun.start(dir, kubeconfig); // no --namespaces: namespace mode per-deployment

        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.stderr()).contains("the join token was not used")
                .contains("per-deployment namespaces: the agent as system:serviceaccount:" + namespace + ":" + AGENT
                        + " may not create namespaces")
                .contains("agent/rbac/setup.sh --agent-namespace " + namespace + " --per-deployment");
        assertThat(run.enrolled()).isFalse();
    }

    @Test
    void missingPermissionsAreListedByResourceAndVerb(KubeCluster cluster) {
        String namespace = cluster.newNamespace("pre");
        serviceAccount(cluster, namespace);
        // Only ConfigMaps, and of those no delete: what a hand-written Role might forget.
        cluster.adminClient().rbac().roles().inNamespace(namespace).resource(new RoleBuilder()
                .withNewMetadata().withName(AGENT).endMetadata()
                .withRules(new PolicyRuleBuilder().withApiGroups("").withResources("configmaps")
                        .withVerbs("get", "list", "watch", "create", "update", "patch").build())
                .build()).create();
        bind(cluster, namespace, namespace);
        Path kubeconfig = cluster.writeServiceAccountKubeconfig(namespace, AGENT, dir.resolve("partial.yaml"));

        AgentRun run = AgentRun.start(dir, kubeconfig, namespace);

        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.stderr()).contains("as system:serviceaccount:" + namespace + ":" + AGENT)
                .contains("namespace " + namespace + ": the agent")
                .contains("may not delete configmaps; get,list,watch,create,update,patch,delete secrets")
                .contains("get,list,watch,create,update,patch,delete apps/deployments")
                .contains("get,list,watch pods")
                .contains("agent/rbac/setup.sh --agent-namespace " + namespace + " --namespaces " + namespace);
        assertThat(run.enrolled()).isFalse();
        LOG.info("missing permissions: exit {} after {} ms", run.exitCode(), run.millis());
    }

    @Test
    void aNamespaceWithoutAnyRoleBindingSaysSoAndHowToFixIt(KubeCluster cluster) {
        String home = cluster.newNamespace("pre");
        String other = cluster.newNamespace("pre");
        grantAgentRole(cluster, home, home);
        Path kubeconfig = cluster.writeServiceAccountKubeconfig(home, AGENT, dir.resolve("home.yaml"));

        AgentRun run = AgentRun.start(dir, kubeconfig, home + "," + other);

        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.stderr()).contains("namespace " + other + ": the agent may do nothing there")
                .contains("kubectl create namespace " + other + " (if it is missing)")
                .doesNotContain("namespace " + home + ":");
    }

    @Test
    void anApiServerThatDoesNotAnswerFailsInSecondsNamingTheAddress(KubeCluster cluster) {
        String nowhere = "https://127.0.0.1:" + FreePorts.next();
        Path kubeconfig = Kubeconfig.write(dir.resolve("nowhere.yaml"),
                Kubeconfig.withToken(nowhere, cluster.caCertPem(), "someone", "token", "default"));

        AgentRun run = AgentRun.start(dir, kubeconfig, "apps");

        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.stderr()).contains("the API server at " + nowhere)
                .contains("does not answer: connection refused")
                .contains("clusters[].cluster.server");
        assertThat(run.enrolled()).isFalse();
        LOG.info("unreachable API server: exit {} after {} ms", run.exitCode(), run.millis());
    }

    @Test
    void anApiServerThatAcceptsButNeverAnswersFailsWithinTheTimeouts(KubeCluster cluster) throws IOException {
        // A black hole: TCP connects, TLS never starts. Bounded by the check's timeouts, not the client's retries.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String server = "https://127.0.0.1:" + silent.getLocalPort();
            Path kubeconfig = Kubeconfig.write(dir.resolve("silent.yaml"),
                    Kubeconfig.withToken(server, cluster.caCertPem(), "someone", "token", "default"));

            AgentRun run = AgentRun.start(dir, kubeconfig, "apps");

            assertThat(run.exitCode()).isEqualTo(3);
            assertThat(run.stderr()).contains("the API server at " + server).contains("does not answer: ");
            assertThat(run.enrolled()).isFalse();
            LOG.info("silent API server: exit {} after {} ms", run.exitCode(), run.millis());
        }
    }

    @Test
    void aTokenTheServerDoesNotAcceptIsA401WithTheFix(KubeCluster cluster) {
        Path kubeconfig = Kubeconfig.write(dir.resolve("bad-token.yaml"),
                Kubeconfig.withToken(cluster.apiServerUrl(), cluster.caCertPem(), "someone", "not-a-token", "default"));

        AgentRun run = AgentRun.start(dir, kubeconfig, "apps");

        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.stderr()).contains("refused the agent's credentials (401 Unauthorized)")
                .contains("agent/rbac/kubeconfig.sh");
    }

    @Test
    void aKubeconfigWithoutServerNamesTheField() throws IOException {
        Path kubeconfig = Files.writeString(dir.resolve("no-server.yaml"), """
                apiVersion: v1
                kind: Config
                clusters: [{name: c, cluster: {}}]
                users: [{name: u, user: {token: t}}]
                contexts: [{name: x, context: {cluster: c, user: u}}]
                current-context: x
                """);

        AgentRun run = AgentRun.start(dir, kubeconfig, "apps");

        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.stderr()).contains("outpost-agent: the kubeconfig " + kubeconfig
                + ": cluster 'c' has no server (clusters[].cluster.server, e.g. https://10.0.0.1:6443)");
    }

    @Test
    void theDocumentedRoleSatisfiesTheCheckAndLosingItDegradesTheAgent(KubeCluster cluster) throws Exception {
        String namespace = cluster.newNamespace("pre");
        grantAgentRole(cluster, namespace, namespace);
        Path kubeconfig = cluster.writeServiceAccountKubeconfig(namespace, AGENT, dir.resolve("agent.yaml"));
        try (KubernetesClient probe = new KubernetesClientBuilder().withConfig(
                ClusterPreflight.probeConfig(KubeconfigLoader.fromFile(kubeconfig))).build()) {
            ClusterPreflight preflight = new ClusterPreflight(probe, Set.of(namespace));
            ClusterPreflight.Result result = preflight.run();
            assertThat(result.problems()).isEmpty();
            assertThat(result.kubernetesVersion()).hasValueSatisfying(v -> assertThat(v).startsWith("v1."));

            // The least-privilege Role cannot list nodes: the count is unknown, not 0.
            ClusterFacts facts = KubeClusterFacts.probe(probe);
            assertThat(facts.hasNodeCount()).isFalse();
            assertThat(facts.getKubernetesVersion()).startsWith("v1.");

            ClusterCondition condition = new ClusterCondition(result, () -> preflight.run(false), Clock.systemUTC());
            assertThat(condition.get().getState()).isEqualTo(AgentState.AGENT_STATE_READY);
            long readySince = condition.get().getSinceUnixMs();

            cluster.adminClient().rbac().roleBindings().inNamespace(namespace).withName(AGENT).delete();
            org.awaitility.Awaitility.await("RoleBinding removal seen by the authorizer").untilAsserted(() -> {
                condition.recheck();
                assertThat(condition.get().getState()).isEqualTo(AgentState.AGENT_STATE_DEGRADED);
            });
            assertThat(condition.get().getReason()).startsWith("namespace " + namespace + ": the agent may do nothing there");
            assertThat(condition.get().getSinceUnixMs()).isGreaterThanOrEqualTo(readySince);
            condition.close();
        }
    }

    @Test
    void aRoleWrittenBeforeTheOptionalRulesStillPassesTheCheck(KubeCluster cluster) throws Exception {
        String namespace = cluster.newNamespace("pre");
        serviceAccount(cluster, namespace);
        RoleBuilder older = new RoleBuilder().withNewMetadata().withName(AGENT).endMetadata();
        AgentPermissions.REQUIRED_NAMESPACE_RULES.forEach(rule -> older.addToRules(new PolicyRuleBuilder()
                .withApiGroups(rule.apiGroup()).withResources(rule.resource()).withVerbs(rule.verbs()).build()));
        cluster.adminClient().rbac().roles().inNamespace(namespace).resource(older.build()).create();
        bind(cluster, namespace, namespace);
        Path kubeconfig = cluster.writeServiceAccountKubeconfig(namespace, AGENT, dir.resolve("older.yaml"));
        try (KubernetesClient probe = new KubernetesClientBuilder().withConfig(
                ClusterPreflight.probeConfig(KubeconfigLoader.fromFile(kubeconfig))).build()) {
            // no metrics.k8s.io rule: the agent starts and records requested resources only (docs/usage.md)
            assertThat(AgentPermissions.NAMESPACE_RULES).containsAll(AgentPermissions.OPTIONAL_RULES);
            assertThat(new ClusterPreflight(probe, Set.of(namespace)).run().problems()).isEmpty();
        }
    }

    @Test
    void theAdminClientReadsTheNodeCount(KubeCluster cluster) {
        ClusterFacts facts = KubeClusterFacts.probe(cluster.adminClient());
        assertThat(facts.hasNodeCount()).isTrue();
        assertThat(facts.getNodeCount()).isEqualTo(cluster.adminClient().nodes().list().getItems().size());
    }

    /** The agent's ServiceAccount in {@code agentNamespace} with the documented Role in {@code managed}. */
    static void grantAgentRole(KubeCluster cluster, String agentNamespace, String managed) {
        serviceAccount(cluster, agentNamespace);
        try {
            String rbac = Files.readString(Path.of("rbac/namespace-role.yaml"), StandardCharsets.UTF_8)
                    .replace("MANAGED_NAMESPACE", managed).replace("AGENT_NAMESPACE", agentNamespace);
            cluster.adminClient().load(new ByteArrayInputStream(rbac.getBytes(StandardCharsets.UTF_8)))
                    .inNamespace(managed).serverSideApply();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void serviceAccount(KubeCluster cluster, String namespace) {
        cluster.adminClient().serviceAccounts().inNamespace(namespace).resource(new ServiceAccountBuilder()
                .withNewMetadata().withName(AGENT).endMetadata().build()).serverSideApply();
    }

    private static void bind(KubeCluster cluster, String agentNamespace, String managed) {
        cluster.adminClient().rbac().roleBindings().inNamespace(managed).resource(new RoleBindingBuilder()
                .withNewMetadata().withName(AGENT).endMetadata()
                .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("Role").withName(AGENT).endRoleRef()
                .addNewSubject().withKind("ServiceAccount").withName(AGENT).withNamespace(agentNamespace).endSubject()
                .build()).create();
    }
}
