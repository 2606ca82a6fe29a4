package dev.outpost.agent.usage;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Objects;

/**
 * The pods and PersistentVolumeClaims carrying one deployment's label, as read at one moment, and what
 * the metrics API said those pods use.
 */
public record UsageSnapshot(List<Pod> pods, List<PersistentVolumeClaim> claims, ActualUsage actual) {

    public UsageSnapshot {
        pods = List.copyOf(pods);
        claims = List.copyOf(claims);
        Objects.requireNonNull(actual);
    }

    /** A snapshot without an answer from the metrics API. */
    public UsageSnapshot(List<Pod> pods, List<PersistentVolumeClaim> claims) {
        this(pods, claims, ActualUsage.UNANSWERED);
    }
}
