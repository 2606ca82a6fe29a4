package dev.outpost.agent.model;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/** How often a pod's containers restarted, as its status says (init containers included). */
public final class PodRestarts {

    private PodRestarts() {
    }

    /** restartCount summed over the pod's container and init container statuses; 0 without a status. */
    public static long of(Pod pod) {
        if (pod.getStatus() == null) {
            return 0;
        }
        return Stream.concat(statuses(pod.getStatus().getContainerStatuses()), statuses(pod.getStatus().getInitContainerStatuses()))
                .map(ContainerStatus::getRestartCount).filter(Objects::nonNull).mapToLong(Integer::longValue).sum();
    }

    private static Stream<ContainerStatus> statuses(List<ContainerStatus> statuses) {
        return statuses == null ? Stream.empty() : statuses.stream();
    }
}
