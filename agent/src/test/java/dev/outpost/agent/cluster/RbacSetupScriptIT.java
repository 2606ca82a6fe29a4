package dev.outpost.agent.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.agent.namespaces.KubeNamespaceProvisioner;
import dev.outpost.agent.namespaces.NamespaceRemoval;
import dev.outpost.protocol.v1.ClusterFacts;
import dev.outpost.protocol.v1.DeploymentPlan;
import dev.outpost.testcluster.KubeCluster;
import dev.outpost.testcluster.KubeClusterExtension;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The copy-and-paste setup of agent/rbac/README.md against a real API server: setup.sh --apply,
 * then kubeconfig.sh, and the agent's cluster check passes with the kubeconfig it wrote.
 */
@ExtendWith(KubeClusterExtension.class)
class RbacSetupScriptIT {
    @TempDir
    Path dir;

    @Test
    void theScriptsGiveTheAgentExactlyWhatItChecksFor(KubeCluster cluster) throws Exception {
        // The scripts are kubectl scripts: without it this test cannot say anything, so it fails rather than skips.
        assertThat(onPath("kubectl")).as("kubectl must be on PATH for the RBAC scripts (see README, Requirements)").isTrue();
        String suffix = Long.toString(System.nanoTime() % 1_000_000, 36);
        String agentNamespace = "outpost-" + suffix;
        List<String> managed = List.of("apps-" + suffix, "data-" + suffix);

        run(cluster, "rbac/setup.sh", "--agent-namespace", agentNamespace, "--namespaces", String.join(",", managed),
                "--create-namespaces", "--apply");
        Path kubeconfig = dir.resolve("agent.kubeconfig");
        String written = run(cluster, "rbac/kubeconfig.sh", "--agent-namespace", agentNamespace,
                "--output", kubeconfig.toString(), "--duration", "1h");
        assertThat(written).contains("wrote " + kubeconfig + " for system:serviceaccount:" + agentNamespace + ":outpost-agent");
        assertThat(Files.getPosixFilePermissions(kubeconfig))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

        try (KubernetesClient agent = new KubernetesClientBuilder()
                .withConfig(ClusterPreflight.probeConfig(KubeconfigLoader.fromFile(kubeconfig))).build()) {
            ClusterPreflight.Result result = new ClusterPreflight(agent, Set.copyOf(managed)).run();
            assertThat(result.problems()).isEmpty();
            assertThat(result.identity()).hasValue("system:serviceaccount:" + agentNamespace + ":outpost-agent");
            // Nothing beyond the managed namespaces: not its own, and no nodes.
            assertThat(new ClusterPreflight(agent, Set.of(agentNamespace)).run().problems()).singleElement()
                    .satisfies(p -> assertThat(p).contains("may do nothing there"));
            assertThat(KubeClusterFacts.probe(agent).hasNodeCount()).isFalse();

            // The optional ClusterRole adds exactly the node facts.
            run(cluster, "rbac/setup.sh", "--agent-namespace", agentNamespace, "--namespaces", String.join(",", managed),
                    "--with-cluster-facts", "--apply");
            org.awaitility.Awaitility.await("node list allowed").untilAsserted(() -> {
                ClusterFacts facts = KubeClusterFacts.probe(agent);
                assertThat(facts.hasNodeCount()).isTrue();
                assertThat(facts.getNodeCount()).isPositive();
            });
        }
    }

    @Test
    void perDeploymentSetupLetsTheAgentCreateAndRemoveItsOwnNamespacesOnly(KubeCluster cluster) throws Exception {
        assertThat(onPath("kubectl")).as("kubectl must be on PATH for the RBAC scripts (see README, Requirements)").isTrue();
        String suffix = Long.toString(System.nanoTime() % 1_000_000, 36);
        String agentNamespace = "outpost-pd-" + suffix;

        run(cluster, "rbac/setup.sh", "--agent-namespace", agentNamespace, "--per-deployment", "--create-namespaces",
                "--apply");
        Path kubeconfig = dir.resolve("agent.kubeconfig");
        run(cluster, "rbac/kubeconfig.sh", "--agent-namespace", agentNamespace, "--output", kubeconfig.toString(),
                "--duration", "1h");

        try (KubernetesClient agent = new KubernetesClientBuilder()
                .withConfig(ClusterPreflight.probeConfig(KubeconfigLoader.fromFile(kubeconfig))).build()) {
            assertThat(new ClusterPreflight(agent, Set.of(), true).run().problems()).isEmpty();
            KubeNamespaceProvisioner provisioner = new KubeNamespaceProvisioner(agent, "outpost-agent", Optional.empty(),
                    Clock.systemUTC());
            String namespace = "svc-pd-" + suffix;
            provisioner.ensure(namespace, "dep-" + suffix, DeploymentPlan.newBuilder()
                    .putNamespaceQuota("pods", "20").build());
            assertThat(cluster.adminClient().resourceQuotas().inNamespace(namespace).list().getItems()).hasSize(1);
            // Nothing cluster-wide beyond namespaces: not the agent's own namespace's objects, not nodes.
            assertThat(new ClusterPreflight(agent, Set.of(agentNamespace)).run().problems()).singleElement()
                    .satisfies(p -> assertThat(p).contains("may do nothing there"));
            assertThat(KubeClusterFacts.probe(agent).hasNodeCount()).isFalse();
            assertThat(KubeClusterFacts.probe(agent).getApiVersionsList()).contains("v1", "apps/v1", "networking.k8s.io/v1");

            assertThat(provisioner.remove(namespace, "dep-" + suffix, Duration.ofSeconds(60)))
                    .isEqualTo(new NamespaceRemoval(true, List.of()));
            assertThat(cluster.adminClient().namespaces().withName(namespace).get()).isNull();
        }
    }

    /** Runs a script with the cluster's admin kubeconfig; returns stdout and stderr together. */
    private String run(KubeCluster cluster, String... command) throws IOException, InterruptedException {
        Path output = Files.createTempFile(dir, "script", ".log");
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().put("KUBECONFIG", cluster.kubeconfig().toString());
        Process process = builder.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(String.join(" ", command) + " finished").isTrue();
        String text = Files.readString(output, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(text).isZero();
        return text;
    }

    private static boolean onPath(String program) {
        for (String folder : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(folder, program))) {
                return true;
            }
        }
        return false;
    }
}
