package dev.outpost.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.protocol.GrpcLimits;
import dev.outpost.protocol.v1.DeploymentMetrics;
import dev.outpost.protocol.v1.PodPhaseCount;
import dev.outpost.protocol.v1.WorkloadMetrics;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class DeploymentSampleTest {

    @Test
    void replicasPerWorkloadPodsPerPhaseAndRestartsOfAllContainers() {
        DeploymentState state = new DeploymentState(
                List.of(deployment("web", 3, 2)),
                List.of(new StatefulSetBuilder().withNewMetadata().withNamespace("apps").withName("db").endMetadata()
                        .withNewSpec().withReplicas(1).endSpec().build()), // no status yet: 0 ready
                List.of(new DaemonSetBuilder().withNewMetadata().withNamespace("apps").withName("agent").endMetadata()
                        .withNewStatus().withDesiredNumberScheduled(4).withNumberReady(4).endStatus().build()),
                List.of(pod("Running", 2, 1), pod("Running", 0, 0), pod("Pending", 0, 0), pod(null, 0, 0),
                        pod("Evicted?", 5, 0)));

        DeploymentMetrics sample = DeploymentSample.of("d1", state);

        assertThat(sample.getDeploymentId()).isEqualTo("d1");
        assertThat(sample.getWorkloadsList()).extracting(w -> w.getKind() + " " + w.getNamespace() + "/" + w.getName()
                + " " + w.getReadyReplicas() + "/" + w.getDesiredReplicas())
                .containsExactly("DaemonSet apps/agent 4/4", "Deployment apps/web 2/3", "StatefulSet apps/db 0/1");
        Map<String, Integer> phases = sample.getPodPhasesList().stream()
                .collect(Collectors.toMap(PodPhaseCount::getPhase, PodPhaseCount::getPods));
        // a pod without a phase, or with one Kubernetes does not know, is Unknown
        assertThat(phases).containsExactlyInAnyOrderEntriesOf(Map.of("Running", 2, "Pending", 1, "Unknown", 2));
        // init container restarts count too
        assertThat(sample.getContainerRestarts()).isEqualTo(8);
        assertThat(sample.getWorkloadsOmitted()).isZero();
    }

    @Test
    void workloadsPastTheLimitAreCountedNotListed() {
        List<Deployment> many = new ArrayList<>();
        for (int i = 0; i < GrpcLimits.MAX_METRICS_WORKLOADS_PER_DEPLOYMENT + 7; i++) {
            many.add(deployment(String.format("w%03d", i), 1, 1));
        }
        DeploymentMetrics sample = DeploymentSample.of("d1", new DeploymentState(many, List.of(), List.of(), List.of()));

        assertThat(sample.getWorkloadsCount()).isEqualTo(GrpcLimits.MAX_METRICS_WORKLOADS_PER_DEPLOYMENT);
        assertThat(sample.getWorkloadsOmitted()).isEqualTo(7);
        assertThat(sample.getWorkloadsList()).extracting(WorkloadMetrics::getName).startsWith("w000", "w001").isSorted();
    }

    private static Deployment deployment(String name, int desired, int ready) {
        return new DeploymentBuilder().withNewMetadata().withNamespace("apps").withName(name).endMetadata()
                .withNewSpec().withReplicas(desired).endSpec().withNewStatus().withReadyReplicas(ready).endStatus().build();
    }

    private static Pod pod(String phase, int restarts, int initRestarts) {
        return new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewStatus().withPhase(phase)
                .addNewContainerStatus().withName("main").withRestartCount(restarts).endContainerStatus()
                .addNewInitContainerStatus().withName("init").withRestartCount(initRestarts).endInitContainerStatus()
                .endStatus().build();
    }
}
