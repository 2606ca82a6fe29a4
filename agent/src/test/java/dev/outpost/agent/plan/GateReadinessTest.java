package dev.outpost.agent.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.agent.model.ManifestParser;
import dev.outpost.agent.model.ObjectRef;
import dev.outpost.agent.model.Readiness;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import org.junit.jupiter.api.Test;

class GateReadinessTest {

    @Test
    void waitsForDeploymentsStatefulSetsDaemonSetsAndJobsOnly() {
        assertThat(GateReadiness.isWorkload(new ObjectRef("apps/v1", "DaemonSet", "ns", "x"))).isTrue();
        assertThat(GateReadiness.isWorkload(new ObjectRef("batch/v1", "Job", "ns", "x"))).isTrue();
        assertThat(GateReadiness.isWorkload(new ObjectRef("apps/v1", "StatefulSet", "ns", "x"))).isTrue();
        assertThat(GateReadiness.isWorkload(new ObjectRef("v1", "ConfigMap", "ns", "x"))).isFalse();
        assertThat(GateReadiness.isWorkload(new ObjectRef("batch/v1", "CronJob", "ns", "x"))).isFalse();
    }

    @Test
    void aDaemonSetIsReadyWhenEveryScheduledPodIsUpdatedAndAvailable() {
        assertThat(GateReadiness.of(live("""
                apiVersion: apps/v1
                kind: DaemonSet
                metadata: {name: agent, generation: 2}
                status: {observedGeneration: 2, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 2}
                """))).isEqualTo(new Readiness(false, "2/3 pods available, 3/3 updated"));
        assertThat(GateReadiness.of(live("""
                apiVersion: apps/v1
                kind: DaemonSet
                metadata: {name: agent, generation: 2}
                status: {observedGeneration: 2, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3}
                """)).ready()).isTrue();
        assertThat(GateReadiness.of(live("""
                apiVersion: apps/v1
                kind: DaemonSet
                metadata: {name: agent, generation: 3}
                status: {observedGeneration: 2, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3}
                """))).isEqualTo(new Readiness(false, "controller has not seen generation 3 yet"));
    }

    @Test
    void aJobIsCompleteRunningOrFailedWithItsReason() {
        assertThat(GateReadiness.job(live("""
                apiVersion: batch/v1
                kind: Job
                metadata: {name: migrate}
                spec: {completions: 1}
                status: {active: 1}
                """))).isEqualTo(new GateReadiness.JobOutcome(GateReadiness.JobOutcome.State.RUNNING,
                "0/1 completions, 1 pods active"));
        assertThat(GateReadiness.job(live("""
                apiVersion: batch/v1
                kind: Job
                metadata: {name: migrate}
                status:
                  succeeded: 1
                  conditions: [{type: Complete, status: "True"}]
                """)).state()).isEqualTo(GateReadiness.JobOutcome.State.COMPLETE);
        assertThat(GateReadiness.job(live("""
                apiVersion: batch/v1
                kind: Job
                metadata: {name: migrate}
                status:
                  failed: 1
                  conditions:
                    - {type: Failed, status: "True", reason: BackoffLimitExceeded, message: Job has reached the specified backoff limit}
                """))).isEqualTo(new GateReadiness.JobOutcome(GateReadiness.JobOutcome.State.FAILED,
                "BackoffLimitExceeded: Job has reached the specified backoff limit"));
        assertThat(GateReadiness.of(live("""
                apiVersion: batch/v1
                kind: Job
                metadata: {name: migrate}
                status:
                  conditions: [{type: Failed, status: "False"}]
                """)).ready()).isFalse();
    }

    @Test
    void deploymentsAndStatefulSetsAreJudgedAsInRevisionOne() {
        assertThat(GateReadiness.of(live("""
                apiVersion: apps/v1
                kind: StatefulSet
                metadata: {name: redis-replica, generation: 1}
                spec: {replicas: 2}
                status: {observedGeneration: 1, readyReplicas: 1, availableReplicas: 1}
                """))).isEqualTo(new Readiness(false, "1/2 replicas available"));
    }

    private static GenericKubernetesResource live(String yaml) {
        return ManifestParser.parse(yaml).getFirst().object();
    }
}
