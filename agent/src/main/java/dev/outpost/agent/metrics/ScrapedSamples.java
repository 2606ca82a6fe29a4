package dev.outpost.agent.metrics;

import dev.outpost.agent.usage.custom.PodScrape;
import dev.outpost.agent.usage.custom.PrometheusText;
import dev.outpost.protocol.GrpcLimits;
import dev.outpost.protocol.v1.ScrapedSample;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The forwarded series of one deployment's scrapes, as telemetry.proto bounds them: samples breaking
 * a limit (too many labels, a label too long) and series past the per-deployment limit are counted,
 * not sent. Pure.
 */
public final class ScrapedSamples {
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]{0,99}");
    private static final Comparator<ScrapedSample> ORDER = Comparator.comparing(ScrapedSample::getMetric)
            .thenComparing(ScrapedSample::getPod).thenComparing(sample -> labelKey(sample.getLabelsMap()));

    private ScrapedSamples() {
    }

    /** The samples to send, in protocol order, and how many were left out. */
    public record Forwarded(List<ScrapedSample> samples, int omitted) {

        public Forwarded {
            samples = List.copyOf(samples);
        }
    }

    /** The samples of the forwarded metrics in {@code scrapes}. */
    public static Forwarded of(List<PodScrape> scrapes) {
        List<ScrapedSample> samples = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int omitted = 0;
        for (PodScrape scrape : scrapes) {
            if (scrape.page().isEmpty()) {
                continue;
            }
            for (PrometheusText.Sample sample : scrape.page().get().samples()) {
                if (!scrape.target().forwarded().contains(sample.name())) {
                    continue;
                }
                if (!fits(sample.labels())) {
                    omitted++;
                    continue;
                }
                ScrapedSample scraped = ScrapedSample.newBuilder().setMetric(sample.name()).setPod(scrape.podName())
                        .putAllLabels(sample.labels()).setValue(sample.value().doubleValue()).build();
                if (!seen.add(scraped.getMetric() + "\n" + scraped.getPod() + "\n" + labelKey(sample.labels()))) {
                    omitted++; // the page served the series twice: the first counts
                    continue;
                }
                samples.add(scraped);
            }
        }
        samples.sort(ORDER);
        int limit = GrpcLimits.MAX_METRICS_SCRAPED_SERIES_PER_DEPLOYMENT;
        if (samples.size() > limit) {
            omitted += samples.size() - limit;
            samples = samples.subList(0, limit);
        }
        return new Forwarded(samples, omitted);
    }

    /** The labels in name order, as one text: the same series gives the same text. */
    private static String labelKey(Map<String, String> labels) {
        return new TreeMap<>(labels).toString();
    }

    private static boolean fits(Map<String, String> labels) {
        if (labels.size() > GrpcLimits.MAX_SCRAPED_LABELS) {
            return false;
        }
        for (Map.Entry<String, String> label : labels.entrySet()) {
            if (!LABEL.matcher(label.getKey()).matches() || label.getKey().startsWith("__")
                    || label.getValue().length() > GrpcLimits.MAX_SCRAPED_LABEL_VALUE_CHARS) {
                return false;
            }
        }
        return true;
    }
}
