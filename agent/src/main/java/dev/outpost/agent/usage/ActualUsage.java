package dev.outpost.agent.usage;

import java.math.BigDecimal;
import java.util.Map;

/**
 * What the cluster's metrics API ({@code metrics.k8s.io}) reported for a deployment's pods when it was
 * read: each pod's cores and memory working set in use, summed over its containers. {@link #UNANSWERED}
 * when the API is not there, refused or failed: then no actual-use meter is recorded.
 *
 * @param pods keyed by {@link #key(String, String)}
 */
public record ActualUsage(boolean answered, Map<String, PodUse> pods) {
    /** The metrics API gave no answer. */
    public static final ActualUsage UNANSWERED = new ActualUsage(false, Map.of());

    public ActualUsage {
        pods = Map.copyOf(pods);
    }

    /** What one pod uses now: cores (a rate) and bytes of memory. */
    public record PodUse(BigDecimal cores, BigDecimal memoryBytes) {
    }

    /** The key of a pod in {@link #pods()}. */
    public static String key(String namespace, String pod) {
        return namespace + "/" + pod;
    }
}
