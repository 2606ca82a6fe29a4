package dev.outpost.agent.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.agent.model.ResourceDemand.StorageClaim;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResourceDemandTest {

    @Test
    void aWorkloadCountsItsReplicasTimesTheLargerOfItsContainersAndItsLargestInitContainer() {
        ResourceDemand demand = ResourceDemand.of(objects("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  replicas: 3
                  template:
                    spec:
                      initContainers:
                        - name: migrate
                          resources: {requests: {cpu: "2", memory: 64Mi}}
                      containers:
                        - name: app
                          resources: {requests: {cpu: 500m, memory: 256Mi}, limits: {memory: 512Mi}}
                        - name: sidecar
                          resources: {limits: {cpu: 250m, memory: 128Mi}}
                """), Map.of());

        assertThat(demand.totals()).containsEntry("pods", new BigDecimal("3"));
        // the init container's 2 cores outweigh the containers' 0.75, for each of 3 pods
        assertThat(demand.totals().get("requests.cpu")).isEqualByComparingTo("6");
        // a container without a request is given its limit: 256Mi + 128Mi per pod
        assertThat(demand.totals().get("requests.memory")).isEqualByComparingTo(mebi(3 * 384));
        assertThat(demand.totals().get("limits.memory")).isEqualByComparingTo(mebi(3 * (512 + 128)));
        // limits.cpu: only the sidecar and the (limitless) others are unset
        assertThat(demand.unset().get("limits.cpu")).containsExactly("Deployment/web container app", "Deployment/web container migrate");
        assertThat(demand.unset()).doesNotContainKeys("requests.cpu", "requests.memory");
    }

    @Test
    void theNamespacesDefaultContainerLimitsFillWhatAContainerLeavesOut() {
        ResourceDemand demand = ResourceDemand.of(objects("""
                apiVersion: v1
                kind: Pod
                metadata: {name: one}
                spec:
                  containers:
                    - name: main
                """), Map.of("cpu", new Quantity("1"), "memory", new Quantity("1Gi")));

        assertThat(demand.totals().get("requests.cpu")).isEqualByComparingTo("1");
        assertThat(demand.totals().get("limits.memory")).isEqualByComparingTo(mebi(1024));
        assertThat(demand.unset()).isEmpty();
    }

    @Test
    void volumeClaimsOfAStatefulSetCountOncePerReplicaAndJobsTheirParallelism() {
        ResourceDemand demand = ResourceDemand.of(objects("""
                apiVersion: apps/v1
                kind: StatefulSet
                metadata: {name: redis}
                spec:
                  replicas: 2
                  template:
                    spec:
                      containers: [{name: redis, resources: {requests: {cpu: 100m}}}]
                  volumeClaimTemplates:
                    - metadata: {name: data}
                      spec: {storageClassName: fast, resources: {requests: {storage: 8Gi}}}
                ---
                apiVersion: v1
                kind: PersistentVolumeClaim
                metadata: {name: backups}
                spec: {resources: {requests: {storage: 1Gi}}}
                ---
                apiVersion: batch/v1
                kind: Job
                metadata: {name: load}
                spec:
                  parallelism: 4
                  template:
                    spec:
                      containers: [{name: load, resources: {requests: {cpu: 50m}}}]
                ---
                apiVersion: apps/v1
                kind: DaemonSet
                metadata: {name: per-node}
                spec:
                  template:
                    spec:
                      containers: [{name: x, resources: {requests: {cpu: "8"}}}]
                """), Map.of());

        assertThat(demand.totals().get("pods")).isEqualByComparingTo("6");
        assertThat(demand.totals().get("requests.cpu")).isEqualByComparingTo("0.4");
        assertThat(demand.totals().get("persistentvolumeclaims")).isEqualByComparingTo("3");
        assertThat(demand.totals().get("requests.storage")).isEqualByComparingTo(mebi(17 * 1024));
        assertThat(demand.claims()).containsExactly(new StorageClaim("StatefulSet/redis", "data", "fast"),
                new StorageClaim("PersistentVolumeClaim/backups", "backups", null));
    }

    @Test
    void objectsThatRunNothingAskNothing() {
        ResourceDemand demand = ResourceDemand.of(objects("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: settings}
                """), Map.of());

        assertThat(demand.totals()).isEmpty();
        assertThat(demand.claims()).isEmpty();
    }

    @Test
    void aQuantityThatIsNoNumberIsRefusedNotCountedAsNothing() {
        List<GenericKubernetesResource> objects = objects("""
                apiVersion: v1
                kind: Pod
                metadata: {name: one}
                spec:
                  containers: [{name: main, resources: {requests: {cpu: lots}}}]
                """);

        assertThatThrownBy(() -> ResourceDemand.of(objects, Map.of()))
                .isInstanceOf(RuntimeException.class);
    }

    static List<GenericKubernetesResource> objects(String yaml) {
        return ManifestParser.parse(yaml).stream().map(ManifestDocument::object).toList();
    }

    static BigDecimal mebi(long mebibytes) {
        return BigDecimal.valueOf(mebibytes * 1024 * 1024);
    }
}
