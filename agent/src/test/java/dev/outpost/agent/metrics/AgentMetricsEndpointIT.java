package dev.outpost.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.agent.config.HubAddress;
import dev.outpost.agent.connection.Backoff;
import dev.outpost.agent.connection.TestHub;
import dev.outpost.agent.connection.TestPki;
import dev.outpost.agent.enrollment.EnrollmentClient;
import dev.outpost.agent.identity.IdentityFiles;
import dev.outpost.protocol.CaFingerprint;
import dev.outpost.protocol.v1.ClusterFacts;
import dev.outpost.testcluster.KubeCluster;
import dev.outpost.testcluster.KubeClusterExtension;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The agent jar's /metrics and /healthz, scraped over HTTP while the hub comes and goes. */
@ExtendWith(KubeClusterExtension.class)
class AgentMetricsEndpointIT {
    private final TestPki pki = new TestPki();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    @TempDir
    Path stateDir;
    private TestHub hub;
    private Process agent;
    private Path output;
    private int port;

    @BeforeEach
    void startHubAndEnrol() throws Exception {
        hub = new TestHub(pki).start();
        new IdentityFiles(stateDir).save(new EnrollmentClient(new HubAddress("127.0.0.1", hub.port()),
                CaFingerprint.of(pki.ca), new Backoff(Duration.ofMillis(50), Duration.ofMillis(200)), 2)
                .enroll(TestHub.GOOD_TOKEN, "test", ClusterFacts.newBuilder().setKubernetesVersion("v1.36.0").build()));
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        output = stateDir.resolve("agent-output.log");
    }

    @AfterEach
    void stop() throws Exception {
        if (agent != null) {
            agent.destroy();
            if (!agent.waitFor(40, TimeUnit.SECONDS)) {
                agent.destroyForcibly();
            }
        }
        hub.close();
    }

    @Test
    void showsTheHubConnectionReconnectsAndSpoolAndStaysHealthyWhileTheHubIsDown(KubeCluster cluster) throws Exception {
        startAgent(cluster.kubeconfig(), cluster.newNamespace("agent"));

        await().atMost(Duration.ofSeconds(60)).until(() -> scrape().getOrDefault("outpost_agent_hub_connected", 0.0) == 1.0);
        Map<String, Double> connected = scrape();
        assertThat(connected).containsEntry("outpost_agent_cluster_ready", 1.0)
                .containsEntry("outpost_agent_stream_reconnects_total", 0.0)
                .containsEntry("outpost_agent_commands_finished_total{outcome=\"succeeded\"}", 0.0)
                .containsEntry("outpost_agent_commands_finished_total{outcome=\"failed\"}", 0.0)
                .containsEntry("outpost_agent_usage_spool_dropped_records_total", 0.0)
                .containsEntry("outpost_agent_usage_spool_max_bytes", (double) (64L << 20))
                .containsKeys("outpost_agent_usage_spool_pending_records", "outpost_agent_usage_spool_pending_bytes");
        assertThat(get("/healthz")).isEqualTo("200 ok: cluster ready, hub connected");

        hub.stop();

        await().atMost(Duration.ofSeconds(30)).until(() -> scrape().get("outpost_agent_hub_connected") == 0.0);
        assertThat(scrape().get("outpost_agent_stream_reconnects_total")).isGreaterThanOrEqualTo(1.0);
        // a liveness probe must not restart the agent because the vendor's hub is down
        assertThat(get("/healthz")).isEqualTo("200 ok: cluster ready, hub disconnected, reconnecting");

        hub.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> scrape().get("outpost_agent_hub_connected") == 1.0);
        assertThat(get("/nothing-here")).startsWith("404 ");
    }

    @Test
    void aDegradedClusterMakesHealthz503WithTheReason(KubeCluster cluster) throws Exception {
        startAgent(cluster.kubeconfig(), "no-such-namespace-here");

        await().atMost(Duration.ofSeconds(60)).until(() -> reachable() && scrape().get("outpost_agent_hub_connected") == 1.0);
        assertThat(scrape()).containsEntry("outpost_agent_cluster_ready", 0.0);
        String healthz = get("/healthz");
        assertThat(healthz).startsWith("503 unhealthy: cluster degraded: ").contains("no-such-namespace-here")
                .endsWith("(hub connected)");
    }

    private void startAgent(Path kubeconfig, String namespaces) throws IOException {
        Path jar = Path.of("target", "outpost-agent.jar");
        assertThat(jar).as("the agent jar (built by mvn package, before the ITs)").isRegularFile();
        agent = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString(), "--hub", "127.0.0.1:" + hub.port(), "--state-dir", stateDir.toString(),
                "--kubeconfig", kubeconfig.toString(), "--namespaces", namespaces,
                "--metrics-address", "127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        await().atMost(Duration.ofSeconds(60)).until(() -> reachable() || !agent.isAlive());
        assertThat(agent.isAlive()).as("agent running; its output:%n%s", Files.readString(output)).isTrue();
    }

    private boolean reachable() {
        try {
            get("/healthz");
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Every sample of /metrics by name and labels, as Prometheus would read it. */
    private Map<String, Double> scrape() throws IOException {
        String text = get("/metrics");
        assertThat(text).startsWith("200 ");
        Map<String, Double> samples = new HashMap<>();
        for (String line : text.substring(4).split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return samples;
    }

    /** "STATUS BODY" of a GET, body without its final newline. */
    private String get(String path) throws IOException {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() + " " + response.body().stripTrailing();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
