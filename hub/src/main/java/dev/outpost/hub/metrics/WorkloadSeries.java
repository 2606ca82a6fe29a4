package dev.outpost.hub.metrics;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** One series a deployment's workload forwards: its metric, the pod it came from, its own labels, its latest value. */
public record WorkloadSeries(String metric, String pod, SortedMap<String, String> labels, double value) {

    public WorkloadSeries {
        labels = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(labels));
    }

    /** The series' key within its deployment: SHA-256 of metric, pod and labels (which may be long). */
    public String key() {
        StringBuilder text = new StringBuilder(metric).append('\n').append(pod);
        for (Map.Entry<String, String> label : labels.entrySet()) {
            text.append('\n').append(label.getKey()).append('=').append(label.getValue());
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
