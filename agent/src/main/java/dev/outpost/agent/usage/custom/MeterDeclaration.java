package dev.outpost.agent.usage.custom;

import java.util.Map;

/**
 * One meter a workload declares on its pods: the usage meter it feeds ({@code meter}, {@code unit}),
 * and the scraped samples it is made of: those named {@code metric} whose labels include
 * {@code labels}, summed over the series and the deployment's pods.
 */
public record MeterDeclaration(String meter, String unit, MeterKind kind, String metric, Map<String, String> labels) {

    public MeterDeclaration {
        labels = Map.copyOf(labels);
    }

    /** Whether {@code sample} is one of the series this meter sums. */
    public boolean matches(PrometheusText.Sample sample) {
        if (!sample.name().equals(metric)) {
            return false;
        }
        for (Map.Entry<String, String> label : labels.entrySet()) {
            if (!label.getValue().equals(sample.labels().get(label.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
