package dev.outpost.hub.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrometheusExpositionTest {
    private static final Instant AT = Instant.parse("2026-12-04T06:00:00Z");

    @Test
    void labelValuesAreEscapedSoAnyIdReadsBackAsSent() {
        String odd = "t\"1\\x\nnew";
        String text = new String(PrometheusExposition.text(List.of(new StoredSeries(odd, "env", "dep",
                MetricSeries.ofDeployment(MetricSeries.CONTAINER_RESTARTS, 3), AT, AT))), StandardCharsets.UTF_8);

        PrometheusText parsed = PrometheusText.parse(text);
        assertThat(parsed.value("outpost_deployment_container_restarts", "tenant", odd, "environment", "env",
                "deployment", "dep")).isEqualTo(3);
        assertThat(text).contains("# TYPE outpost_deployment_container_restarts gauge");
    }

    @Test
    void workloadAndPhaseLabelsOnlyWhereTheMetricHasThem() {
        String text = new String(PrometheusExposition.text(List.of(
                new StoredSeries("t", "e", "d", new MetricSeries(MetricSeries.READY_REPLICAS, "Deployment", "apps",
                        "web", "", 2), AT, AT),
                new StoredSeries("t", "e", "d", new MetricSeries(MetricSeries.PODS, "", "", "", "Running", 2), AT, AT),
                new StoredSeries("t", "e", "d", new MetricSeries("from_a_newer_hub", "", "", "", "", 1), AT, AT))),
                StandardCharsets.UTF_8);

        PrometheusText parsed = PrometheusText.parse(text);
        assertThat(parsed.find("outpost_deployment_ready_replicas").getFirst().labels()).containsOnlyKeys("tenant",
                "environment", "deployment", "kind", "namespace", "workload");
        assertThat(parsed.find("outpost_deployment_pods").getFirst().labels()).containsOnlyKeys("tenant",
                "environment", "deployment", "phase");
        assertThat(parsed.samples()).hasSize(2);
    }
}
