package dev.outpost.agent.usage;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;

/** The pods and PersistentVolumeClaims carrying one deployment's label, as read at one moment. */
public record UsageSnapshot(List<Pod> pods, List<PersistentVolumeClaim> claims) {

    public UsageSnapshot {
        pods = List.copyOf(pods);
        claims = List.copyOf(claims);
    }
}
