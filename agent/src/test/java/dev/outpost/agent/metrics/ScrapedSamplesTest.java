package dev.outpost.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.agent.usage.custom.MeterAnnotations;
import dev.outpost.agent.usage.custom.PodScrape;
import dev.outpost.agent.usage.custom.PrometheusText;
import dev.outpost.protocol.GrpcLimits;
import dev.outpost.protocol.v1.ScrapedSample;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ScrapedSamplesTest {
    private static final MeterAnnotations.ScrapeTarget FORWARDS_HITS = new MeterAnnotations.ScrapeTarget(9090, "/metrics",
            List.of(), Set.of("hits_total"));

    @Test
    void onlyForwardedMetricsAreSentInProtocolOrderAndAPodThatDidNotAnswerSendsNothing() {
        ScrapedSamples.Forwarded forwarded = ScrapedSamples.of(List.of(
                scrape("web-b", "hits_total{code=\"200\"} 5\nother 1"),
                scrape("web-a", "hits_total{code=\"500\"} 2\nhits_total{code=\"200\"} 7"),
                new PodScrape("uid", "web-c", 0, 0, FORWARDS_HITS, Optional.empty(), Optional.of("no answer"))));

        assertThat(forwarded.samples()).extracting(s -> s.getPod() + " " + s.getLabelsMap() + " " + s.getValue())
                .containsExactly("web-a {code=200} 7.0", "web-a {code=500} 2.0", "web-b {code=200} 5.0");
        assertThat(forwarded.omitted()).isZero();
    }

    @Test
    void samplesBreakingALimitAndSeriesPastThePerDeploymentLimitAreCountedNotSent() {
        String tooManyLabels = "hits_total{" + IntStream.range(0, GrpcLimits.MAX_SCRAPED_LABELS + 1)
                .mapToObj(i -> "l" + i + "=\"v\"").collect(Collectors.joining(",")) + "} 1";
        String longValue = "hits_total{id=\"" + "x".repeat(GrpcLimits.MAX_SCRAPED_LABEL_VALUE_CHARS + 1) + "\"} 1";
        String reserved = "hits_total{__name__=\"x\"} 1";
        String many = IntStream.range(0, GrpcLimits.MAX_METRICS_SCRAPED_SERIES_PER_DEPLOYMENT + 5)
                .mapToObj(i -> "hits_total{n=\"" + i + "\"} " + i).collect(Collectors.joining("\n"));
        String twice = "hits_total{n=\"0\"} 99";

        ScrapedSamples.Forwarded forwarded = ScrapedSamples.of(List.of(
                scrape("web-a", String.join("\n", tooManyLabels, longValue, reserved, many, twice))));

        assertThat(forwarded.samples()).hasSize(GrpcLimits.MAX_METRICS_SCRAPED_SERIES_PER_DEPLOYMENT);
        assertThat(forwarded.samples()).extracting(ScrapedSample::getValue).contains(0.0).doesNotContain(99.0);
        assertThat(forwarded.omitted()).isEqualTo(3 + 5 + 1);
    }

    private static PodScrape scrape(String pod, String page) {
        return new PodScrape("uid-" + pod, pod, 0, 0, FORWARDS_HITS,
                Optional.of(PrometheusText.read(page, Set.of("hits_total", "other"))), Optional.empty());
    }
}
