package dev.outpost.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.agent.model.ManifestParser;
import dev.outpost.agent.model.OutpostMetadata;
import dev.outpost.agent.usage.MeteredDeployment;
import dev.outpost.agent.usage.custom.LoopbackMetricsPage;
import dev.outpost.agent.usage.custom.PodMetricsScraper;
import dev.outpost.agent.usage.PodTemplateLabels;
import dev.outpost.protocol.v1.DeploymentMetrics;
import dev.outpost.protocol.v1.MetricsAck;
import dev.outpost.protocol.v1.MetricsBatch;
import dev.outpost.protocol.v1.PodPhaseCount;
import dev.outpost.protocol.v1.TelemetryGrpc;
import dev.outpost.testcluster.KubeCluster;
import dev.outpost.testcluster.KubeClusterExtension;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Sampling against a real API server: a Deployment and a StatefulSet whose pods run on kwok's nodes,
 * read with a ServiceAccount holding only what the agent's Role grants on them, sent on a real
 * ReportMetrics stream to a hub stand-in that records what it acks.
 */
@ExtendWith(KubeClusterExtension.class)
class MetricsSamplerIT {
    private static final String AGENT = "outpost-agent";
    private final List<MetricsBatch> received = new CopyOnWriteArrayList<>();
    private final AtomicBoolean hubUp = new AtomicBoolean(true);
    private Server hub;
    private ManagedChannel channel;

    @AfterEach
    void stop() {
        if (channel != null) {
            channel.shutdownNow();
        }
        if (hub != null) {
            hub.shutdownNow();
        }
    }

    @Test
    void readyReplicasPodPhasesAndRestartsReachTheHub(KubeCluster cluster) throws Exception {
        KubernetesClient admin = cluster.adminClient();
        String namespace = cluster.newNamespace("metrics");
        String deploymentId = "dep-" + UUID.randomUUID().toString().substring(0, 8);
        grantAgentRole(admin, namespace);
        create(admin, namespace, deploymentId, """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, namespace: %s}
                spec:
                  replicas: 2
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec: {containers: [{name: web, image: nginx}]}
                """);
        create(admin, namespace, deploymentId, """
                apiVersion: apps/v1
                kind: StatefulSet
                metadata: {name: db, namespace: %s}
                spec:
                  replicas: 1
                  serviceName: db
                  selector: {matchLabels: {app: db}}
                  template:
                    metadata: {labels: {app: db}}
                    spec: {containers: [{name: db, image: postgres}]}
                """);
        startHub();

        try (KubernetesClient agent = cluster.serviceAccountClient(namespace, AGENT);
             MetricsSampler sampler = new MetricsSampler(
                     () -> List.of(new MeteredDeployment(deploymentId, Set.of(namespace))),
                     new KubeDeploymentStateReader(agent), new PodMetricsScraper(Duration.ofSeconds(2)),
                     new MetricsSender(channel, Duration.ofSeconds(10), "agent=a1"),
                     Clock.systemUTC(), "agent=a1")) {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                sampler.sampleAndSend();
                DeploymentMetrics last = received.getLast().getDeployments(0);
                return last.getWorkloadsList().stream().allMatch(w -> w.getReadyReplicas() == w.getDesiredReplicas())
                        && phases(last).getOrDefault("Running", 0) == 3;
            });

            DeploymentMetrics sample = received.getLast().getDeployments(0);
            assertThat(sample.getDeploymentId()).isEqualTo(deploymentId);
            assertThat(sample.getWorkloadsList()).extracting(w -> w.getKind() + " " + w.getNamespace() + "/" + w.getName()
                    + " " + w.getReadyReplicas() + "/" + w.getDesiredReplicas())
                    .containsExactly("Deployment " + namespace + "/web 2/2", "StatefulSet " + namespace + "/db 1/1");
            assertThat(phases(sample)).isEqualTo(Map.of("Running", 3));
            assertThat(sample.getContainerRestarts()).isZero();
            // one stream for all rounds, batches numbered on it
            List<Long> sequences = received.stream().map(MetricsBatch::getSequence).toList();
            assertThat(sequences).startsWith(1L).isSorted().doesNotHaveDuplicates();

            // scaled down: the next round says so
            admin.apps().deployments().inNamespace(namespace).withName("web").scale(1);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                sampler.sampleAndSend();
                return received.getLast().getDeployments(0).getWorkloads(0).getDesiredReplicas() == 1;
            });

            // the hub goes away: a round is dropped, not queued; once it is back the next round opens a new stream
            hubUp.set(false);
            hub.shutdownNow().awaitTermination();
            assertThat(sampler.sampleAndSend()).isEqualTo(-1);
            int before = received.size();
            hubUp.set(true);
            startHubAgain();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> sampler.sampleAndSend() == 1);
            assertThat(received).hasSize(before + 1);
            assertThat(received.getLast().getSequence()).isEqualTo(1);
        }
    }

    /**
     * A workload forwards two of its metrics (hostNetwork: kwok gives the pod 127.0.0.1, where this
     * test serves the page over real HTTP): the next sample carries exactly those series, per pod,
     * with their labels; what the page serves besides is not forwarded.
     */
    @Test
    void theMetricsAWorkloadForwardsAreScrapedAndReachTheHubWithItsSample(KubeCluster cluster) throws Exception {
        KubernetesClient admin = cluster.adminClient();
        String namespace = cluster.newNamespace("forward");
        String deploymentId = "dep-" + UUID.randomUUID().toString().substring(0, 8);
        grantAgentRole(admin, namespace);
        LoopbackMetricsPage workload = new LoopbackMetricsPage("/metrics");
        workload.serve("""
                    # TYPE cache_hits_total counter
                    cache_hits_total{shard="a"} 1200
                    cache_hits_total{shard="b"} 30
                    cache_memory_bytes 1.048576e+06
                    cache_secret_internal 42
                    """);
        create(admin, namespace, deploymentId, """
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
                        outpost.dev/metrics-port: "PORT"
                        outpost.dev/metrics-forward: "cache_hits_total, cache_memory_bytes"
                    spec:
                      hostNetwork: true
                      containers: [{name: cache, image: cache}]
                """.replace("PORT", Integer.toString(workload.port())));
        startHub();

        try (KubernetesClient agent = cluster.serviceAccountClient(namespace, AGENT);
             MetricsSampler sampler = new MetricsSampler(
                     () -> List.of(new MeteredDeployment(deploymentId, Set.of(namespace))),
                     new KubeDeploymentStateReader(agent), new PodMetricsScraper(Duration.ofSeconds(2)),
                     new MetricsSender(channel, Duration.ofSeconds(10), "agent=a1"), Clock.systemUTC(), "agent=a1")) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                sampler.sampleAndSend();
                return !received.isEmpty() && received.getLast().getDeployments(0).getScrapedCount() > 0;
            });

            DeploymentMetrics sample = received.getLast().getDeployments(0);
            String pod = admin.pods().inNamespace(namespace).list().getItems().getFirst().getMetadata().getName();
            assertThat(sample.getScrapedList()).extracting(s -> s.getMetric() + " " + s.getPod() + " " + s.getLabelsMap()
                    + " " + s.getValue()).containsExactly(
                    "cache_hits_total " + pod + " {shard=a} 1200.0",
                    "cache_hits_total " + pod + " {shard=b} 30.0",
                    "cache_memory_bytes " + pod + " {} 1048576.0");
            assertThat(sample.getScrapedOmitted()).isZero();
        } finally {
            workload.close();
        }
    }

    private static Map<String, Integer> phases(DeploymentMetrics sample) {
        return sample.getPodPhasesList().stream().collect(Collectors.toMap(PodPhaseCount::getPhase, PodPhaseCount::getPods));
    }

    private String name;

    private void startHub() throws Exception {
        name = "metrics-hub-" + UUID.randomUUID();
        startHubAgain();
        channel = InProcessChannelBuilder.forName(name).build();
    }

    private void startHubAgain() throws Exception {
        hub = InProcessServerBuilder.forName(name).addService(new TelemetryGrpc.TelemetryImplBase() {
            @Override
            public StreamObserver<MetricsBatch> reportMetrics(StreamObserver<MetricsAck> responses) {
                return new StreamObserver<>() {
                    @Override
                    public void onNext(MetricsBatch batch) {
                        received.add(batch);
                        responses.onNext(MetricsAck.newBuilder().setSequence(batch.getSequence())
                                .setStored(batch.getDeploymentsCount()).build());
                    }

                    @Override
                    public void onError(Throwable error) {
                    }

                    @Override
                    public void onCompleted() {
                        responses.onCompleted();
                    }
                };
            }
        }).build().start();
    }

    private static void create(KubernetesClient admin, String namespace, String deploymentId, String yaml) {
        GenericKubernetesResource object = ManifestParser.parse(yaml.formatted(namespace)).getFirst().object();
        // labelled and stamped as the agent applies them
        object.getMetadata().setLabels(OutpostMetadata.labels(deploymentId));
        PodTemplateLabels.stamp(object, deploymentId);
        admin.genericKubernetesResources("apps/v1", object.getKind()).inNamespace(namespace).resource(object).create();
    }

    /** What agent/rbac/namespace-role.yaml grants that matters here: reading workloads and pods. */
    private static void grantAgentRole(KubernetesClient admin, String namespace) {
        admin.serviceAccounts().inNamespace(namespace).resource(new ServiceAccountBuilder()
                .withNewMetadata().withName(AGENT).endMetadata().build()).create();
        admin.rbac().roles().inNamespace(namespace).resource(new RoleBuilder().withNewMetadata().withName(AGENT).endMetadata()
                .withRules(new PolicyRuleBuilder().withApiGroups("").withResources("pods")
                                .withVerbs("get", "list", "watch").build(),
                        new PolicyRuleBuilder().withApiGroups("apps").withResources("deployments", "statefulsets", "daemonsets")
                                .withVerbs("get", "list", "watch").build())
                .build()).create();
        admin.rbac().roleBindings().inNamespace(namespace).resource(new RoleBindingBuilder()
                .withNewMetadata().withName(AGENT).endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "Role", AGENT)
                .addNewSubject().withKind("ServiceAccount").withName(AGENT).withNamespace(namespace).endSubject()
                .build()).create();
    }
}
