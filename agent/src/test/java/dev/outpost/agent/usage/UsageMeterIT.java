package dev.outpost.agent.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.agent.model.ManifestParser;
import dev.outpost.agent.model.OutpostMetadata;
import dev.outpost.agent.usage.custom.LoopbackMetricsPage;
import dev.outpost.agent.usage.custom.PodMetricsScraper;
import dev.outpost.protocol.usage.Meters;
import dev.outpost.testcluster.KubeCluster;
import dev.outpost.testcluster.KubeClusterExtension;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Metering against a real API server: a Deployment whose pod template carries the deployment label
 * (stamped as the agent stamps it) runs on kwok's nodes, a claim is bound to a volume, and one round
 * read with a least-privilege ServiceAccount (get/list on pods and claims only) yields exact quantities.
 */
@ExtendWith(KubeClusterExtension.class)
class UsageMeterIT {
    private static final String AGENT = "outpost-agent";

    @TempDir
    Path stateDir;

    @Test
    void aRunningDeploymentIsMeteredExactly(KubeCluster cluster) throws Exception {
        KubernetesClient admin = cluster.adminClient();
        String namespace = cluster.newNamespace("usage");
        String deploymentId = "dep-" + UUID.randomUUID().toString().substring(0, 8);
        grantReadRole(admin, namespace);

        GenericKubernetesResource web = ManifestParser.parse("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, namespace: %s}
                spec:
                  replicas: 2
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      containers:
                      - name: web
                        image: nginx
                        resources: {requests: {cpu: 250m, memory: 100Mi}}
                      - name: sidecar
                        image: busybox
                        resources: {limits: {cpu: "1", memory: 1Gi}}
                """.formatted(namespace)).getFirst().object();
        createStamped(admin, web, deploymentId);
        bindClaim(admin, namespace, deploymentId);
        admin.persistentVolumeClaims().inNamespace(namespace).resource(new PersistentVolumeClaimBuilder()
                .withNewMetadata().withName("pending").addToLabels(OutpostMetadata.DEPLOYMENT_LABEL, deploymentId).endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").withStorageClassName("none-such")
                .withNewResources().addToRequests("storage", new Quantity("100Gi")).endResources().endSpec().build()).create();

        await().atMost(Duration.ofSeconds(60)).until(() -> admin.pods().inNamespace(namespace)
                .withLabel(OutpostMetadata.DEPLOYMENT_LABEL, deploymentId).list().getItems().stream()
                .filter(pod -> "Running".equals(pod.getStatus().getPhase())).count() == 2);
        await().atMost(Duration.ofSeconds(60)).until(() -> "Bound".equals(admin.persistentVolumeClaims()
                .inNamespace(namespace).withName("data").get().getStatus().getPhase()));

        try (KubernetesClient agent = cluster.serviceAccountClient(namespace, AGENT)) {
            long windowEnd = 1_800_000_060_000L;
            UsageSpool spool = UsageSpool.open(stateDir.resolve("usage-spool"), 1L << 20, Optional.empty(), "agent=a1");
            UsageMetering metering = meteringAt(agent, deploymentId, namespace, spool, windowEnd);

            assertThat(metering.measureDue()).isEqualTo(4);

            List<SpooledRecord> records = spool.read(spool.pendingSequences().getFirst()).orElseThrow().records();
            assertThat(records).allSatisfy(record -> {
                assertThat(record.deploymentId()).isEqualTo(deploymentId);
                assertThat(record.windowStartMs()).isEqualTo(windowEnd - 60_000);
                assertThat(record.windowEndMs()).isEqualTo(windowEnd);
            });
            Map<String, String> quantities = records.stream().collect(Collectors.toMap(SpooledRecord::meter, SpooledRecord::quantity));
            // per pod: 0.25 core requested + 1 core limit of the sidecar without a request, × 2 pods × 60 s
            assertThat(quantities).containsEntry(Meters.CPU_REQUESTED.name(), "150");
            // per pod: 100 MiB + 1 GiB, × 2 pods × 60 s = (200/1024 + 2) × 60 GiB-seconds
            assertThat(quantities).containsEntry(Meters.MEMORY_REQUESTED.name(), "131.71875");
            assertThat(quantities).containsEntry(Meters.PODS_RUNNING.name(), "0.033333333");
            // only the bound 2 GiB claim, for 1/60 hour
            assertThat(quantities).containsEntry(Meters.STORAGE_BOUND.name(), "0.033333333");
        }
    }

    /**
     * A workload declares a counter and a gauge on its pod template and serves them over real HTTP
     * (hostNetwork: kwok gives the pod its node's address, 127.0.0.1, where this test listens). Each
     * round is a fresh metering and a reopened spool, as after an agent restart: the baselines come
     * from disk. The counter is billed its increase, a reset from 0, a round without an answer later.
     */
    @Test
    void aWorkloadsDeclaredMetersAreScrapedAndBilledByIncrease(KubeCluster cluster) throws Exception {
        KubernetesClient admin = cluster.adminClient();
        String namespace = cluster.newNamespace("meters");
        String deploymentId = "dep-" + UUID.randomUUID().toString().substring(0, 8);
        grantReadRole(admin, namespace);
        LoopbackMetricsPage workload = new LoopbackMetricsPage("/stats");
        try (KubernetesClient agent = cluster.serviceAccountClient(namespace, AGENT)) {
            GenericKubernetesResource cache = ManifestParser.parse("""
                    apiVersion: apps/v1
                    kind: Deployment
                    metadata: {name: cache, namespace: %s}
                    spec:
                      replicas: 1
                      selector: {matchLabels: {app: cache}}
                      template:
                        metadata:
                          labels: {app: cache}
                          annotations:
                            outpost.dev/metrics-port: "%d"
                            outpost.dev/metrics-path: /stats
                            outpost.dev/meters: >-
                              [{"meter": "commands.processed", "unit": "command", "kind": "counter",
                                "metric": "cache_commands_total", "labels": {"result": "ok"}},
                               {"meter": "clients.connected", "unit": "client", "kind": "gauge",
                                "metric": "cache_clients"}]
                        spec:
                          hostNetwork: true
                          containers:
                          - name: cache
                            image: cache
                    """.formatted(namespace, workload.port())).getFirst().object();
            PodTemplateLabels.stamp(cache, deploymentId);
            admin.genericKubernetesResources("apps/v1", "Deployment").inNamespace(namespace).resource(cache).create();
            await().atMost(Duration.ofSeconds(60)).until(() -> admin.pods().inNamespace(namespace).list().getItems().stream()
                    .anyMatch(pod -> "Running".equals(pod.getStatus().getPhase()) && pod.getStatus().getPodIP() != null));
            assertThat(admin.pods().inNamespace(namespace).list().getItems().getFirst().getStatus().getPodIP())
                    .isEqualTo("127.0.0.1");

            long end = 1_800_000_060_000L;
            Map<String, String> first = round(agent, workload, namespace, deploymentId, end,
                    "cache_commands_total{result=\"ok\"} 1000\ncache_commands_total{result=\"error\"} 7\ncache_clients 3\n");
            // the pod ran before the first scrape: its 1000 are a baseline, not this window's usage
            assertThat(first).containsEntry("commands.processed", "0").containsEntry("clients.connected", "3");

            Map<String, String> second = round(agent, workload, namespace, deploymentId, end + 60_000,
                    "cache_commands_total{result=\"ok\"} 1250.5\ncache_clients 4\n");
            assertThat(second).containsEntry("commands.processed", "250.5").containsEntry("clients.connected", "4");

            Map<String, String> reset = round(agent, workload, namespace, deploymentId, end + 120_000,
                    "cache_commands_total{result=\"ok\"} 40\ncache_clients 4\n");
            assertThat(reset).containsEntry("commands.processed", "40");

            Map<String, String> silent = round(agent, workload, namespace, deploymentId, end + 180_000, null);
            assertThat(silent).containsEntry("commands.processed", "0").containsEntry("clients.connected", "0");

            Map<String, String> back = round(agent, workload, namespace, deploymentId, end + 240_000,
                    "cache_commands_total{result=\"ok\"} 100\ncache_clients 1\n");
            // the increase over the round it did not answer is billed now: 40 → 100
            assertThat(back).containsEntry("commands.processed", "60").containsEntry("clients.connected", "1");
        } finally {
            workload.close();
        }
    }

    /** One metering round at {@code windowEnd} (+1.5 s) with the workload serving {@code page}; the custom meters' quantities. */
    private Map<String, String> round(KubernetesClient agent, LoopbackMetricsPage workload, String namespace,
            String deploymentId, long windowEnd, String page) throws Exception {
        workload.serve(page);
        UsageSpool spool = UsageSpool.open(stateDir.resolve("usage-spool"), 1L << 20, Optional.empty(), "agent=a1");
        Set<Long> before = Set.copyOf(spool.pendingSequences());
        UsageMetering metering = new UsageMetering(new UsageGrid(Duration.ofMinutes(1)), Duration.ofMinutes(1),
                () -> List.of(new MeteredDeployment(deploymentId, Set.of(namespace))), new KubeUsageReader(agent, new MetricsApiReader(agent, "agent=a1")),
                new UsageMeter("a1"), spool, new PodMetricsScraper(Duration.ofSeconds(2)),
                Clock.fixed(Instant.ofEpochMilli(windowEnd + 1_500), ZoneOffset.UTC), "agent=a1");
        try {
            metering.measureDue();
        } finally {
            metering.close();
        }
        return spool.pendingSequences().stream().filter(sequence -> !before.contains(sequence))
                .flatMap(sequence -> spool.read(sequence).orElseThrow().records().stream())
                .filter(record -> Stream.concat(Meters.BUILT_IN.stream(), Meters.ACTUAL_USE.stream())
                        .noneMatch(meter -> meter.name().equals(record.meter())))
                .peek(record -> assertThat(record.windowEndMs()).isEqualTo(windowEnd))
                .collect(Collectors.toMap(SpooledRecord::meter, SpooledRecord::quantity));
    }

    private static void bindClaim(KubernetesClient admin, String namespace, String deploymentId) {
        String volume = namespace + "-data";
        admin.persistentVolumes().resource(new PersistentVolumeBuilder().withNewMetadata().withName(volume).endMetadata()
                .withNewSpec().withCapacity(Map.of("storage", new Quantity("2Gi"))).withAccessModes("ReadWriteOnce")
                .withStorageClassName("manual").withNewHostPath().withPath("/tmp/" + volume).endHostPath()
                .withNewClaimRef().withNamespace(namespace).withName("data").endClaimRef().endSpec().build()).create();
        admin.persistentVolumeClaims().inNamespace(namespace).resource(new PersistentVolumeClaimBuilder()
                .withNewMetadata().withName("data").addToLabels(OutpostMetadata.DEPLOYMENT_LABEL, deploymentId).endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").withStorageClassName("manual").withVolumeName(volume)
                .withNewResources().addToRequests("storage", new Quantity("2Gi")).endResources().endSpec().build()).create();
    }

    /** What agent/rbac grants on pods and claims that matters here: reading them. */
    /**
     * Actual use through the cluster's metrics API: kwok gives each pod a usage, metrics-server scrapes
     * it from kwok's kubelet API, the aggregator serves it as metrics.k8s.io, and the agent, with the
     * Role's rule for it, records what the pods use next to what they request.
     */
    @Test
    void actualUseComesFromTheMetricsApi(KubeCluster cluster) throws Exception {
        cluster.enableMetricsApi();
        KubernetesClient admin = cluster.adminClient();
        String namespace = cluster.newNamespace("used");
        String deploymentId = "dep-" + UUID.randomUUID().toString().substring(0, 8);
        grantReadRole(admin, namespace);
        admin.rbac().roles().inNamespace(namespace).withName(AGENT).edit(role -> new RoleBuilder(role)
                .addToRules(new PolicyRuleBuilder().withApiGroups("metrics.k8s.io").withResources("pods")
                        .withVerbs("get", "list").build()).build());
        GenericKubernetesResource api = ManifestParser.parse("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: api, namespace: %s}
                spec:
                  replicas: 2
                  selector: {matchLabels: {app: api}}
                  template:
                    metadata: {labels: {app: api}}
                    spec:
                      containers:
                      - {name: api, image: api, resources: {requests: {cpu: "1", memory: 1Gi}}}
                """.formatted(namespace)).getFirst().object();
        createStamped(admin, api, deploymentId);
        List<String> pods = await().atMost(Duration.ofSeconds(60)).until(() -> admin.pods().inNamespace(namespace)
                .withLabel(OutpostMetadata.DEPLOYMENT_LABEL, deploymentId).list().getItems().stream()
                .filter(pod -> "Running".equals(pod.getStatus().getPhase())).map(pod -> pod.getMetadata().getName())
                .toList(), running -> running.size() == 2);
        pods.forEach(pod -> cluster.podResourceUsage(namespace, pod, "250m", "64Mi"));
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> pods.stream().allMatch(pod ->
                admin.top().pods().metrics(namespace, pod).getContainers().size() == 1));

        try (KubernetesClient agent = cluster.serviceAccountClient(namespace, AGENT)) {
            long windowEnd = 1_800_000_060_000L;
            UsageSpool spool = UsageSpool.open(stateDir.resolve("usage-spool"), 1L << 20, Optional.empty(), "agent=a1");
            UsageMetering metering = meteringAt(agent, deploymentId, namespace, spool, windowEnd);

            assertThat(metering.measureDue()).isEqualTo(6);

            Map<String, String> quantities = spool.read(spool.pendingSequences().getFirst()).orElseThrow().records()
                    .stream().collect(Collectors.toMap(SpooledRecord::meter, SpooledRecord::quantity));
            // requested: 2 pods × 1 core × 60 s; used: 2 × 0.25 core, a rate metrics-server computes from
            // two scrapes of kwok's counter, so exact only up to the jitter of their clocks
            assertThat(quantities).containsEntry(Meters.CPU_REQUESTED.name(), "120");
            assertThat(new BigDecimal(quantities.get(Meters.CPU_USED.name())).doubleValue()).isBetween(27.0, 33.0);
            // working set: 2 × 64 MiB = 0.125 GiB, × 60 s
            assertThat(quantities).containsEntry(Meters.MEMORY_USED.name(), "7.5");
        }
    }

    /** One metering of {@code deploymentId} as the agent's ServiceAccount, its clock just after {@code windowEnd}. */
    private static UsageMetering meteringAt(KubernetesClient agent, String deploymentId, String namespace, UsageSpool spool,
            long windowEnd) {
        return new UsageMetering(new UsageGrid(Duration.ofMinutes(1)), Duration.ofHours(1),
                () -> List.of(new MeteredDeployment(deploymentId, Set.of(namespace))),
                new KubeUsageReader(agent, new MetricsApiReader(agent, "agent=a1")), new UsageMeter("a1"), spool,
                new PodMetricsScraper(Duration.ofSeconds(1)), Clock.fixed(Instant.ofEpochMilli(windowEnd + 1_500), ZoneOffset.UTC),
                "agent=a1");
    }

    /** Creates the Deployment with its pod template stamped as the agent stamps it. */
    private static void createStamped(KubernetesClient admin, GenericKubernetesResource deployment, String deploymentId) {
        PodTemplateLabels.stamp(deployment, deploymentId);
        admin.genericKubernetesResources("apps/v1", "Deployment").inNamespace(deployment.getMetadata().getNamespace())
                .resource(deployment).create();
    }

    private static void grantReadRole(KubernetesClient admin, String namespace) {
        admin.serviceAccounts().inNamespace(namespace).resource(new ServiceAccountBuilder()
                .withNewMetadata().withName(AGENT).endMetadata().build()).create();
        admin.rbac().roles().inNamespace(namespace).resource(new RoleBuilder().withNewMetadata().withName(AGENT).endMetadata()
                .withRules(new PolicyRuleBuilder().withApiGroups("").withResources("pods", "persistentvolumeclaims")
                        .withVerbs("get", "list", "watch").build())
                .build()).create();
        admin.rbac().roleBindings().inNamespace(namespace).resource(new RoleBindingBuilder()
                .withNewMetadata().withName(AGENT).endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "Role", AGENT)
                .addNewSubject().withKind("ServiceAccount").withName(AGENT).withNamespace(namespace).endSubject()
                .build()).create();
    }
}
