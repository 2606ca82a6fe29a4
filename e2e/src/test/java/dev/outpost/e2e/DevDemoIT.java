package dev.outpost.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.e2e.support.ReadmeShell;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Smoke test of {@code ./dev demo}: it brings up its own cluster, a hub and an agent, deploys the
 * example release and says what to look at; told to stop (SIGTERM, as Ctrl-C does through its
 * trap), it stops every process it started and removes its folder.
 */
class DevDemoIT {
    private static final Pattern KUBECTL_HINT = Pattern.compile("kubectl --kubeconfig (\\S+) get");

    @TempDir
    Path temp;

    /**
     * A free port below Linux's ephemeral range (32768 and up). The demo starts its cluster in a JVM of
     * its own before the hub binds: that JVM's components, and every outbound connection, take their
     * ports from the ephemeral range, so a port from there could be gone by the time the hub binds it.
     */
    private static int portBelowTheEphemeralRange(int not) throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = 20000 + ThreadLocalRandom.current().nextInt(12000);
            if (port == not) {
                continue;
            }
            try (ServerSocket probe = new ServerSocket(port)) {
                return probe.getLocalPort();
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free port from 20000 to 31999 after 100 attempts");
    }

    @Test
    void demoDeploysTheExampleAndStopsEverythingItStarted() throws IOException {
        int http = portBelowTheEphemeralRange(0);
        Map<String, String> env = Map.of("TMPDIR", temp.toString(),
                "OUTPOST_HTTP_PORT", Integer.toString(http),
                "OUTPOST_GRPC_PORT", Integer.toString(portBelowTheEphemeralRange(http)));
        ReadmeShell demo = ReadmeShell.start("demo", "exec ./dev demo", env, temp.resolve("demo.out"));
        try {
            await("./dev demo running").atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofMillis(500)).until(() -> {
                if (!demo.process().isAlive()) {
                    throw new AssertionError("./dev demo ended early:\n" + demo.process().logTail());
                }
                return demo.process().output().contains("Ctrl-C stops everything");
            });
            String output = demo.process().output();
            Matcher hint = KUBECTL_HINT.matcher(output);
            assertThat(hint.find()).as("a kubectl command to look at the cluster\n" + output).isTrue();
            assertThat(output).contains("/api/v1/deployments/dep_", "Authorization: Bearer opa_");

            Config config = Config.fromKubeconfig(Files.readString(Path.of(hint.group(1)), StandardCharsets.UTF_8));
            try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
                StatefulSet redis = client.apps().statefulSets().inNamespace("acme-apps").withName("redis").get();
                assertThat(redis).as("the example release's StatefulSet in the demo's cluster").isNotNull();
                assertThat(redis.getStatus().getReadyReplicas()).isEqualTo(2);
            }
            assertThat(demo.recordDescendants()).as("cluster components, hub and agent").hasSizeGreaterThanOrEqualTo(7);

            // SIGTERM: what the demo's trap does for Ctrl-C too
            ProcessHandle.of(demo.process().pid()).ifPresent(ProcessHandle::destroy);
            assertThat(demo.process().awaitExit(Duration.ofMinutes(2))).as(demo.process().logTail()).isEqualTo(130);
            assertThat(demo.survivors()).as("processes ./dev demo left behind").isEmpty();
            try (Stream<Path> left = Files.list(temp)) {
                assertThat(left.map(p -> p.getFileName().toString())).as("the demo's folder is removed")
                        .noneMatch(name -> name.startsWith("outpost-demo."));
            }
        } finally {
            demo.stopLeftovers();
        }
    }
}
