package dev.outpost.agent.metrics;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.List;

/** The workloads and pods carrying one deployment's label, as read at one moment. */
public record DeploymentState(List<Deployment> deployments, List<StatefulSet> statefulSets, List<DaemonSet> daemonSets,
        List<Pod> pods) {

    public DeploymentState {
        deployments = List.copyOf(deployments);
        statefulSets = List.copyOf(statefulSets);
        daemonSets = List.copyOf(daemonSets);
        pods = List.copyOf(pods);
    }
}
