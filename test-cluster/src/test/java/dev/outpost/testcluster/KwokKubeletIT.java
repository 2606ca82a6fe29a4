package dev.outpost.testcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.ContainerMetrics;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetrics;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Pod logs and resource usage of fake pods, served by kwok's kubelet API, read the way a real cluster offers them. */
@ExtendWith(KubeClusterExtension.class)
class KwokKubeletIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final KubeCluster cluster;
    private final KubernetesClient admin;

    KwokKubeletIT(KubeCluster cluster) {
        this.cluster = cluster;
        this.admin = cluster.adminClient();
    }

    @Test
    void podLogIsReadAndFollowedThroughTheApiServer(@TempDir Path dir) throws Exception {
        String ns = cluster.newNamespace("logs");
        Pod pod = runningPod(ns, "talker");
        Path file = CriLogFile.appendStdout(dir.resolve("talker.log"), "first line", "second line");
        cluster.podLogsFromFile(ns, "talker", file);

        // kwok sees the new Logs object through its watch a moment later: until then it answers 400.
        await().atMost(WAIT).ignoreException(KubernetesClientException.class).untilAsserted(() ->
                assertThat(admin.pods().inNamespace(ns).withName("talker").getLog())
                        .isEqualTo("first line\nsecond line\n"));

        List<String> followed = new CopyOnWriteArrayList<>();
        ExecutorService reader = Executors.newSingleThreadExecutor();
        try (LogWatch watch = admin.pods().inNamespace(ns).withName("talker").watchLog()) {
            reader.submit(() -> {
                try (BufferedReader lines = new BufferedReader(
                        new InputStreamReader(watch.getOutput(), StandardCharsets.UTF_8))) {
                    lines.lines().forEach(followed::add);
                }
                return null;
            });
            await().atMost(WAIT).untilAsserted(() -> assertThat(followed).containsExactly("first line", "second line"));

            CriLogFile.appendStdout(file, "appended later");

            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(followed).containsExactly("first line", "second line", "appended later"));
        } finally {
            reader.shutdownNow();
        }
        assertThat(pod.getSpec().getNodeName()).startsWith("kwok-node-");
    }

    @Test
    void containerUsageIsServedOnTheNodesResourceMetrics() throws Exception {
        String ns = cluster.newNamespace("usage");
        Pod pod = runningPod(ns, "busy");
        cluster.podResourceUsage(ns, "busy", "250m", "64Mi");

        HttpClient http = HttpClient.newBuilder().sslContext(trusting(cluster.caCertPem()))
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(cluster.kubeletUrl()
                        + KubeCluster.resourceMetricsPath(pod.getSpec().getNodeName())))
                .timeout(Duration.ofSeconds(5)).build();
        String memory = "container_memory_working_set_bytes{container=\"main\",namespace=\"" + ns + "\",pod=\"busy\"}";
        String cpu = "container_cpu_usage_seconds_total{container=\"main\",namespace=\"" + ns + "\",pod=\"busy\"}";

        await().atMost(WAIT).untilAsserted(() -> {
            String body = http.send(request, HttpResponse.BodyHandlers.ofString()).body();
            // Prometheus text: the value may be written as 6.7108864e+07.
            assertThat(sample(body, memory)).isEqualTo(64 * 1024 * 1024);
            // Cumulative: 0.25 core-seconds per second once kwok has seen the usage twice.
            assertThat(sample(body, cpu)).isPositive();
        });
    }

    @Test
    void podUsageIsServedByTheMetricsApiThroughTheAggregator() {
        cluster.enableMetricsApi();
        String ns = cluster.newNamespace("top");
        runningPod(ns, "busy");
        cluster.podResourceUsage(ns, "busy", "250m", "64Mi");

        // apiserver -> aggregator -> metrics-server -> kwok's kubelet API, as `kubectl top pod` reads it
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().untilAsserted(() -> {
            PodMetrics metrics = admin.top().pods().metrics(ns, "busy");
            ContainerMetrics main = metrics.getContainers().getFirst();
            assertThat(main.getName()).isEqualTo("main");
            assertThat(Quantity.getAmountInBytes(main.getUsage().get("memory"))).isEqualByComparingTo("67108864");
            // a rate over two scrapes of a counter growing 0.25 per second: 250m give or take the clocks' jitter
            assertThat(Quantity.getAmountInBytes(main.getUsage().get("cpu")).doubleValue()).isBetween(0.2, 0.3);
        });
    }

    private Pod runningPod(String ns, String name) {
        admin.pods().inNamespace(ns).resource(new PodBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .withNewSpec().addNewContainer().withName("main").withImage("registry.invalid/main:1").endContainer()
                .endSpec()
                .build()).create();
        return admin.pods().inNamespace(ns).withName(name)
                .waitUntilCondition(p -> p != null && "Running".equals(p.getStatus().getPhase()),
                        WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
    }

    private static double sample(String metrics, String series) {
        return metrics.lines().filter(l -> l.startsWith(series + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(series.length() + 1).trim().split(" ")[0]))
                .orElse(-1.0);
    }

    private static SSLContext trusting(String caPem) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(caPem.getBytes(StandardCharsets.US_ASCII))));
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }
}
