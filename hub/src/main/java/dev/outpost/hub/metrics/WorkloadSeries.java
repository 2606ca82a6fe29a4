package dev.outpost.hub.metrics;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** One series a deployment's workload forwards: its metric, the pod it came from, its own labels, its latest value. */
public record WorkloadSeries(String metric, String pod, SortedMap<String, String> labels, double value) {

    public WorkloadSeries {
        labels = Collections.unmodifiableSortedMap(new TreeMap<>(labels));
    }

    /** Metric, pod and labels as one text: two series are the same series exactly when these are equal. */
    public String identity() {
        StringBuilder text = new StringBuilder(metric).append('\n').append(pod);
        for (Map.Entry<String, String> label : labels.entrySet()) {
            text.append('\n').append(label.getKey()).append('=').append(label.getValue());
        }
        return text.toString();
    }

    /** The series' key within its deployment: SHA-256 of its {@link #identity} (which may be long). */
    public String key() {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(identity().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
