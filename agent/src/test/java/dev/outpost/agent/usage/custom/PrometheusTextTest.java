package dev.outpost.agent.usage.custom;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {

    @Test
    void readsTheNamedSamplesWithTheirLabelsAndExactValues() {
        PrometheusText.Page page = PrometheusText.read("""
                # HELP http_requests_total Requests served.
                # TYPE http_requests_total counter
                http_requests_total{code="200",path="/a"} 1027 1700000000000
                http_requests_total{code="500",path="/a"} 3
                process_cpu_seconds_total 12.47
                redis_connected_clients 7
                """, Set.of("http_requests_total", "redis_connected_clients"));

        assertThat(page.samples()).containsExactly(
                new PrometheusText.Sample("http_requests_total", Map.of("code", "200", "path", "/a"), new BigDecimal("1027")),
                new PrometheusText.Sample("http_requests_total", Map.of("code", "500", "path", "/a"), new BigDecimal("3")),
                new PrometheusText.Sample("redis_connected_clients", Map.of(), new BigDecimal("7")));
        assertThat(page.badLines()).isZero();
    }

    @Test
    void readsExponentsAndEscapedLabelValuesExactly() {
        PrometheusText.Page page = PrometheusText.read("""
                bytes_total{msg="a \\"quoted\\" \\\\ value",le="+Inf"} 1.5e+06
                bytes_total{x="y",} 0.1
                """, Set.of("bytes_total"));

        assertThat(page.samples()).extracting(PrometheusText.Sample::value)
                .containsExactly(new BigDecimal("1.5e+06"), new BigDecimal("0.1"));
        assertThat(page.samples().getFirst().labels()).containsEntry("msg", "a \"quoted\" \\ value").containsEntry("le", "+Inf");
        assertThat(page.samples().getFirst().value().toPlainString()).isEqualTo("1500000");
    }

    @Test
    void dropsNotANumberInfinitiesAndMalformedLinesAndCountsThem() {
        PrometheusText.Page page = PrometheusText.read("""
                m NaN
                m +Inf
                m{a="unterminated} 1
                m
                m twelve
                m 1e40
                m 5
                """, Set.of("m"));

        assertThat(page.samples()).extracting(PrometheusText.Sample::value).containsExactly(new BigDecimal("5"));
        assertThat(page.badLines()).isEqualTo(6);
    }

    @Test
    void aMetricWhoseNameOnlyStartsLikeTheWantedOneIsNotRead() {
        PrometheusText.Page page = PrometheusText.read("""
                requests_total_created 1700000000
                requests_total 9
                """, Set.of("requests_total"));

        assertThat(page.samples()).extracting(PrometheusText.Sample::value).containsExactly(new BigDecimal("9"));
    }

    @Test
    void stopsReadingAPageOfMoreThanTheLineLimitAndSaysSo() {
        String huge = "m 1\n".repeat(PrometheusText.MAX_LINES + 10);

        PrometheusText.Page page = PrometheusText.read(huge, Set.of("m"));

        assertThat(page.cutOff()).isTrue();
        assertThat(page.samples()).hasSize(PrometheusText.MAX_LINES);
    }
}
