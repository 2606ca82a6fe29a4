package dev.outpost.agent.usage.custom;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MeterAnnotationsTest {
    private static final String REQUESTS = """
            [{"meter": "requests.served", "unit": "request", "kind": "counter", "metric": "http_requests_total",
              "labels": {"code": "200"}},
             {"meter": "clients.connected", "unit": "client", "kind": "gauge", "metric": "redis_connected_clients"}]""";

    @Test
    void readsTheMetersThePortAndThePath() {
        MeterAnnotations.Reading reading = MeterAnnotations.read(pod(Map.of(MeterAnnotations.METERS, REQUESTS,
                MeterAnnotations.PORT, "9121", MeterAnnotations.PATH, "/stats/prometheus")));

        assertThat(reading.problem()).isEmpty();
        MeterAnnotations.ScrapeTarget target = reading.target().orElseThrow();
        assertThat(target.port()).isEqualTo(9121);
        assertThat(target.path()).isEqualTo("/stats/prometheus");
        assertThat(target.meters()).containsExactly(
                new MeterDeclaration("requests.served", "request", MeterKind.COUNTER, "http_requests_total", Map.of("code", "200")),
                new MeterDeclaration("clients.connected", "client", MeterKind.GAUGE, "redis_connected_clients", Map.of()));
    }

    @Test
    void aNamedContainerPortAndTheDefaultPathWork() {
        MeterAnnotations.Reading reading = MeterAnnotations.read(pod(Map.of(MeterAnnotations.METERS, REQUESTS,
                MeterAnnotations.PORT, "metrics")));

        assertThat(reading.target().orElseThrow().port()).isEqualTo(9464);
        assertThat(reading.target().orElseThrow().path()).isEqualTo("/metrics");
    }

    @Test
    void forwardedMetricsAloneMakeATargetAndABadListSaysWhy() {
        MeterAnnotations.ScrapeTarget target = MeterAnnotations.read(pod(Map.of(MeterAnnotations.FORWARD,
                " cache_hits_total, cache_memory_bytes ,", MeterAnnotations.PORT, "9121"))).target().orElseThrow();
        assertThat(target.forwarded()).containsExactlyInAnyOrder("cache_hits_total", "cache_memory_bytes");
        assertThat(target.meters()).isEmpty();
        assertThat(target.meteredMetrics()).isEmpty();

        assertThat(MeterAnnotations.read(pod(Map.of(MeterAnnotations.FORWARD, "a, b-c", MeterAnnotations.PORT, "9121")))
                .problem()).hasValueSatisfying(why -> assertThat(why).contains("Prometheus metric names", "'b-c'"));
        assertThat(MeterAnnotations.read(pod(Map.of(MeterAnnotations.FORWARD, "a"))).problem())
                .hasValueSatisfying(why -> assertThat(why).contains(MeterAnnotations.FORWARD + " needs " + MeterAnnotations.PORT));
    }

    @Test
    void aPodWithoutMetersHasNothingToScrapeAndNoProblem() {
        MeterAnnotations.Reading reading = MeterAnnotations.read(pod(Map.of(MeterAnnotations.PORT, "9121")));

        assertThat(reading.target()).isEmpty();
        assertThat(reading.problem()).isEmpty();
    }

    @Test
    void everyUnusableDeclarationSaysWhatIsWrong() {
        Map<String, String> cases = new HashMap<>();
        cases.put("not json", "is not JSON");
        cases.put("[]", "non-empty JSON array");
        cases.put("[{\"meter\": \"Bad Name\", \"unit\": \"r\", \"kind\": \"counter\", \"metric\": \"m\"}]", ".meter must be a meter name");
        cases.put("[{\"meter\": \"cpu.requested.core-seconds\", \"unit\": \"r\", \"kind\": \"counter\", \"metric\": \"m\"}]",
                "is a built-in meter");
        cases.put("[{\"meter\": \"a\", \"unit\": \"r\", \"kind\": \"histogram\", \"metric\": \"m\"}]", "kind must be counter or gauge");
        cases.put("[{\"meter\": \"a\", \"unit\": \"r\", \"kind\": \"gauge\", \"metric\": \"9m\"}]", "Prometheus metric name");
        cases.put("[{\"meter\": \"a\", \"unit\": \"r\", \"kind\": \"gauge\", \"metric\": \"m\", \"lables\": {}}]", "unknown field 'lables'");
        cases.put("[{\"meter\": \"a\", \"unit\": \"r\", \"kind\": \"gauge\", \"metric\": \"m\"},"
                + " {\"meter\": \"a\", \"unit\": \"r\", \"kind\": \"gauge\", \"metric\": \"n\"}]", "declared twice");
        cases.put("[{\"meter\": \"a\", \"unit\": \"\", \"kind\": \"gauge\", \"metric\": \"m\"}]", ".unit must be a unit");
        cases.forEach((meters, expected) -> assertThat(MeterAnnotations.read(pod(Map.of(MeterAnnotations.METERS, meters,
                MeterAnnotations.PORT, "9121"))).problem()).as(meters).hasValueSatisfying(why -> assertThat(why).contains(expected)));

        assertThat(MeterAnnotations.read(pod(Map.of(MeterAnnotations.METERS, REQUESTS))).problem())
                .hasValueSatisfying(why -> assertThat(why).contains("needs " + MeterAnnotations.PORT));
        assertThat(MeterAnnotations.read(pod(Map.of(MeterAnnotations.METERS, REQUESTS, MeterAnnotations.PORT, "70000"))).problem())
                .hasValueSatisfying(why -> assertThat(why).contains("port number 1-65535"));
        assertThat(MeterAnnotations.read(pod(Map.of(MeterAnnotations.METERS, REQUESTS, MeterAnnotations.PORT, "9121",
                MeterAnnotations.PATH, "http://elsewhere/"))).problem())
                .hasValueSatisfying(why -> assertThat(why).contains("must be a path starting with '/'"));
    }

    private static Pod pod(Map<String, String> annotations) {
        return new PodBuilder().withNewMetadata().withName("web-0").withAnnotations(annotations).endMetadata()
                .withNewSpec().addNewContainer().withName("app").addNewPort().withName("metrics").withContainerPort(9464)
                .endPort().endContainer().endSpec().build();
    }

}
