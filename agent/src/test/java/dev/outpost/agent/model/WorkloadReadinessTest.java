package dev.outpost.agent.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

class WorkloadReadinessTest {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    @Test
    void waitsOnlyForDeploymentsAndStatefulSets() {
        assertThat(WorkloadReadiness.isWaitedFor(new ObjectRef("apps/v1", "StatefulSet", "ns", "a"))).isTrue();
        assertThat(WorkloadReadiness.isWaitedFor(new ObjectRef("apps/v1", "Deployment", "ns", "a"))).isTrue();
        assertThat(WorkloadReadiness.isWaitedFor(new ObjectRef("v1", "ConfigMap", "ns", "a"))).isFalse();
        assertThat(WorkloadReadiness.isWaitedFor(new ObjectRef("example.com/v1", "Deployment", "ns", "a"))).isFalse();
    }

    @Test
    void deploymentIsReadyWhenObservedUpdatedAndAvailable() {
        assertThat(WorkloadReadiness.of(deployment(2, 3, 2, 3, 3))).isEqualTo(
                new Readiness(false, "controller has not seen generation 3 yet (observed 2)"));
        assertThat(WorkloadReadiness.of(deployment(3, 3, 3, 3, 2)))
                .isEqualTo(new Readiness(false, "2/3 replicas available, 3/3 updated"));
        assertThat(WorkloadReadiness.of(deployment(3, 3, 2, 3, 3)).ready()).isFalse();
        assertThat(WorkloadReadiness.of(deployment(3, 3, 3, 3, 3)))
                .isEqualTo(new Readiness(true, "3/3 replicas available, 3/3 updated"));
    }

    @Test
    void deploymentWithoutReplicasWantsOne() {
        GenericKubernetesResource noReplicas = parse("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, generation: 1}
                status: {observedGeneration: 1}
                """);
        assertThat(WorkloadReadiness.of(noReplicas).detail()).isEqualTo("0/1 replicas available, 0/1 updated");
    }

    @Test
    void statefulSetIsReadyWhenAvailableAndRolledOut() {
        assertThat(WorkloadReadiness.of(statefulSet(2, "availableReplicas: 1, currentRevision: r1, updateRevision: r1")))
                .isEqualTo(new Readiness(false, "1/2 replicas available"));
        assertThat(WorkloadReadiness.of(statefulSet(2, "availableReplicas: 2, currentRevision: r1, updateRevision: r2")))
                .isEqualTo(new Readiness(false, "2/2 replicas available, rolling update to r2 not finished"));
        assertThat(WorkloadReadiness.of(statefulSet(2, "availableReplicas: 2, currentRevision: r2, updateRevision: r2")))
                .isEqualTo(new Readiness(true, "2/2 replicas available"));
    }

    @Test
    void statefulSetFallsBackToReadyReplicas() {
        assertThat(WorkloadReadiness.of(statefulSet(2, "readyReplicas: 2")).ready()).isTrue();
        assertThat(WorkloadReadiness.of(statefulSet(2, "readyReplicas: 1")).ready()).isFalse();
    }

    private static GenericKubernetesResource deployment(long observed, long generation, long updated, long replicas,
                                                        long available) {
        return parse("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, generation: %d}
                spec: {replicas: %d}
                status: {observedGeneration: %d, updatedReplicas: %d, availableReplicas: %d}
                """.formatted(generation, replicas, observed, updated, available));
    }

    private static GenericKubernetesResource statefulSet(long replicas, String status) {
        return parse("""
                apiVersion: apps/v1
                kind: StatefulSet
                metadata: {name: redis, generation: 4}
                spec: {replicas: %d}
                status: {observedGeneration: 4, %s}
                """.formatted(replicas, status));
    }

    private static GenericKubernetesResource parse(String yaml) {
        return SERIALIZATION.unmarshal(yaml, GenericKubernetesResource.class);
    }
}
