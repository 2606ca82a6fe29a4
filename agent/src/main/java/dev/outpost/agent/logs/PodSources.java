package dev.outpost.agent.logs;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Set;

/** Which containers of a deployment's pod have a log to follow. */
final class PodSources {
    /** Phases in which containers have run: Pending ones have no log yet, Unknown ones cannot be reached. */
    private static final Set<String> FOLLOWED_PHASES = Set.of("Running", "Succeeded", "Failed");

    private PodSources() {
    }

    /** Every container of the pod (init containers are not followed), when the pod is Running or ended. */
    static List<FollowedSource> of(String deploymentId, Pod pod) {
        if (pod.getStatus() == null || !FOLLOWED_PHASES.contains(pod.getStatus().getPhase())
                || pod.getMetadata().getDeletionTimestamp() != null && !"Running".equals(pod.getStatus().getPhase())
                || pod.getSpec() == null) {
            return List.of();
        }
        return pod.getSpec().getContainers().stream().map(Container::getName)
                .map(container -> new FollowedSource(deploymentId, pod.getMetadata().getNamespace(),
                        pod.getMetadata().getName(), pod.getMetadata().getUid(), container))
                .toList();
    }
}
