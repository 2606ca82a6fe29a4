package dev.outpost.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.e2e.support.ReadmeShell;
import dev.outpost.testcluster.FreePorts;
import dev.outpost.testcluster.KubeCluster;
import dev.outpost.testcluster.KubeClusterExtension;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * README.md's quickstart, run literally: the shell blocks of its marked sections, extracted by
 * scripts/readme-blocks.sh, with bash against a real hub and agent (started by those blocks through
 * ./dev) and the real test cluster. The only substitutions are the environment variables the
 * README itself reads: KUBECONFIG (the test cluster's admin), WORK (a temporary folder) and
 * OUTPOST_HTTP_PORT / OUTPOST_GRPC_PORT (free ports). If the README stops working, this fails.
 */
@ExtendWith(KubeClusterExtension.class)
class QuickstartIT {
    private static final String NAMESPACE = "acme-apps"; // the README's
    private static final String DEPLOYMENT_LABEL = "outpost.dev/deployment";
    private static final Duration PATIENCE = Duration.ofMinutes(6);

    @TempDir
    Path temp;

    @Test
    void theQuickstartDeploysTheExampleReleaseAsTheReadmeSays(KubeCluster cluster) throws IOException {
        Path work = temp.resolve("work");
        Path deployed = work.resolve(".deployed");
        Path checked = work.resolve(".checked");
        // Between the quickstart and its stop section the test looks at the cluster: a checkpoint.
        String script = String.join("\n",
                "set -euo pipefail",
                "trap 'exit 143' TERM",
                "trap 'kill $(jobs -p) 2> /dev/null || true' EXIT",
                ReadmeShell.section("quickstart"),
                "touch " + deployed,
                "for _ in $(seq 600); do [ -e " + checked + " ] && break; sleep 0.2; done",
                ReadmeShell.section("quickstart-stop"));
        Map<String, String> env = Map.of("KUBECONFIG", cluster.kubeconfig().toString(), "WORK", work.toString(),
                "OUTPOST_HTTP_PORT", Integer.toString(FreePorts.next()),
                "OUTPOST_GRPC_PORT", Integer.toString(FreePorts.next()));
        Path output = temp.resolve("quickstart.log");
        ReadmeShell shell = ReadmeShell.start("quickstart", script, env, output);
        long started = System.nanoTime();
        try {
            await("the quickstart's deployment").atMost(PATIENCE).pollInterval(Duration.ofMillis(500)).until(() -> {
                if (!shell.process().isAlive()) {
                    throw new AssertionError("the quickstart ended early:\n" + shell.process().logTail()
                            + "\n" + ReadmeShell.logTails(work));
                }
                return Files.exists(deployed);
            });
            log("quickstart deployed in %d ms", Duration.ofNanos(System.nanoTime() - started).toMillis());
            assertThat(shell.recordDescendants()).as("the quickstart's hub and agent run").hasSizeGreaterThanOrEqualTo(2);

            KubernetesClient admin = cluster.adminClient();
            StatefulSet redis = admin.apps().statefulSets().inNamespace(NAMESPACE).withName("redis").get();
            assertThat(redis).as("StatefulSet redis in " + NAMESPACE).isNotNull();
            assertThat(redis.getSpec().getReplicas()).as("the README's replicas parameter").isEqualTo(2);
            assertThat(redis.getStatus().getReadyReplicas()).isEqualTo(2);
            String deploymentId = redis.getMetadata().getLabels().get(DEPLOYMENT_LABEL);
            assertThat(deploymentId).startsWith("dep_");
            assertThat(ownedObjects(admin, deploymentId))
                    .containsExactlyInAnyOrder("ConfigMap/redis-config", "ConfigMap/redis-scripts", "Service/redis",
                            "StatefulSet/redis");
            assertThat(shell.process().output())
                    .as("what the README shows: the operation and the deployment")
                    .contains("\"status\": \"succeeded\"", "\"status\": \"ready\"", "statefulset.apps/redis");

            Files.createFile(checked);
            assertThat(shell.process().awaitExit(Duration.ofMinutes(2)))
                    .as("the quickstart's stop section\n" + shell.process().logTail()).isZero();
            await("objects removed by the README's DELETE").atMost(Duration.ofSeconds(30))
                    .until(() -> ownedObjects(admin, deploymentId).isEmpty());
            await("the hub and agent stopped").atMost(Duration.ofSeconds(30)).until(() -> shell.survivors().isEmpty());
        } finally {
            shell.stopLeftovers();
        }
    }

    private static List<String> ownedObjects(KubernetesClient admin, String deploymentId) {
        return Stream.of(
                        admin.configMaps().inNamespace(NAMESPACE).withLabel(DEPLOYMENT_LABEL, deploymentId).list().getItems(),
                        admin.services().inNamespace(NAMESPACE).withLabel(DEPLOYMENT_LABEL, deploymentId).list().getItems(),
                        admin.apps().statefulSets().inNamespace(NAMESPACE).withLabel(DEPLOYMENT_LABEL, deploymentId).list()
                                .getItems())
                .flatMap(List::stream)
                .filter(o -> o.getMetadata().getDeletionTimestamp() == null)
                .map(o -> kind(o) + "/" + o.getMetadata().getName())
                .toList();
    }

    private static String kind(HasMetadata object) {
        return object.getKind() != null ? object.getKind() : object.getClass().getSimpleName();
    }

    private static void log(String format, Object... args) {
        System.out.printf("E2E: " + format + "%n", args);
    }
}
