package dev.outpost.agent.metrics;

import dev.outpost.agent.model.PodRestarts;
import dev.outpost.protocol.GrpcLimits;
import dev.outpost.protocol.v1.DeploymentMetrics;
import dev.outpost.protocol.v1.PodPhaseCount;
import dev.outpost.protocol.v1.WorkloadMetrics;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Turns a deployment's state into the DeploymentMetrics the hub stores: bounded, in a stable order. */
public final class DeploymentSample {
    private static final Set<String> PHASES = Set.of("Pending", "Running", "Succeeded", "Failed", "Unknown");
    private static final Comparator<WorkloadMetrics> ORDER = Comparator.comparing(WorkloadMetrics::getKind)
            .thenComparing(WorkloadMetrics::getNamespace).thenComparing(WorkloadMetrics::getName);

    private DeploymentSample() {
    }

    /** The sample of {@code deploymentId}; workloads past the protocol's limit are counted, not listed. */
    public static DeploymentMetrics of(String deploymentId, DeploymentState state) {
        List<WorkloadMetrics> workloads = new ArrayList<>();
        state.deployments().forEach(d -> workloads.add(workload("Deployment", d.getMetadata().getNamespace(),
                d.getMetadata().getName(), d.getSpec() == null || d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas(),
                d.getStatus() == null ? null : d.getStatus().getReadyReplicas())));
        state.statefulSets().forEach(s -> workloads.add(workload("StatefulSet", s.getMetadata().getNamespace(),
                s.getMetadata().getName(), s.getSpec() == null || s.getSpec().getReplicas() == null ? 1 : s.getSpec().getReplicas(),
                s.getStatus() == null ? null : s.getStatus().getReadyReplicas())));
        state.daemonSets().forEach(d -> workloads.add(workload("DaemonSet", d.getMetadata().getNamespace(),
                d.getMetadata().getName(), d.getStatus() == null ? null : d.getStatus().getDesiredNumberScheduled(),
                d.getStatus() == null ? null : d.getStatus().getNumberReady())));
        workloads.sort(ORDER);
        int limit = GrpcLimits.MAX_METRICS_WORKLOADS_PER_DEPLOYMENT;
        DeploymentMetrics.Builder sample = DeploymentMetrics.newBuilder().setDeploymentId(deploymentId)
                .addAllWorkloads(workloads.subList(0, Math.min(limit, workloads.size())))
                .setWorkloadsOmitted(Math.max(0, workloads.size() - limit));
        Map<String, Integer> phases = new TreeMap<>();
        long restarts = 0;
        for (Pod pod : state.pods()) {
            String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
            phases.merge(phase != null && PHASES.contains(phase) ? phase : "Unknown", 1, Integer::sum);
            restarts += PodRestarts.of(pod);
        }
        phases.forEach((phase, pods) -> sample.addPodPhases(PodPhaseCount.newBuilder().setPhase(phase).setPods(pods)));
        return sample.setContainerRestarts(restarts).build();
    }

    private static WorkloadMetrics workload(String kind, String namespace, String name, Integer desired, Integer ready) {
        return WorkloadMetrics.newBuilder().setKind(kind).setNamespace(namespace).setName(name)
                .setDesiredReplicas(bounded(desired)).setReadyReplicas(bounded(ready)).build();
    }

    private static int bounded(Integer replicas) {
        return replicas == null ? 0 : Math.max(0, Math.min(GrpcLimits.MAX_METRICS_REPLICAS, replicas));
    }
}
