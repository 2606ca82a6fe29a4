package dev.outpost.hub.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import dev.outpost.hub.gateway.AgentGateway;
import dev.outpost.hub.gateway.GatewayChannels;
import dev.outpost.hub.pki.HubCertificateAuthority;
import dev.outpost.hub.pki.TestCsr;
import dev.outpost.hub.testsupport.Api;
import dev.outpost.hub.testsupport.HubTestProperties;
import dev.outpost.protocol.Pem;
import dev.outpost.protocol.fixtures.ReleaseFixture;
import dev.outpost.protocol.v1.ClusterFacts;
import dev.outpost.protocol.v1.DeploymentMetrics;
import dev.outpost.protocol.v1.EnrollRequest;
import dev.outpost.protocol.v1.EnrollResponse;
import dev.outpost.protocol.v1.EnrollmentGrpc;
import dev.outpost.protocol.v1.MetricsAck;
import dev.outpost.protocol.v1.MetricsBatch;
import dev.outpost.protocol.v1.PodPhaseCount;
import dev.outpost.protocol.v1.ScrapedSample;
import dev.outpost.protocol.v1.WorkloadMetrics;
import dev.outpost.protocol.usage.UsageKeys;
import dev.outpost.protocol.v1.SpoolState;
import dev.outpost.protocol.v1.TelemetryGrpc;
import dev.outpost.protocol.v1.UsageAck;
import dev.outpost.protocol.v1.UsageBatch;
import dev.outpost.protocol.v1.UsageRecord;
import io.grpc.stub.StreamObserver;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Deployment metrics over a real Telemetry stream (mutual TLS, a certificate the hub issued through
 * enrolment) into the real store, scraped back from GET /api/v1/metrics/prometheus and parsed as
 * Prometheus reads it. Subclasses pick the database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractMetricsIngestIT implements TestPropertyProvider {
    static final String ADMIN = "opa_" + "mt".repeat(16);
    static final String PROMETHEUS = "/api/v1/metrics/prometheus";

    @Inject
    AgentGateway gateway;
    @Inject
    HubCertificateAuthority ca;
    @Inject
    EmbeddedServer server;
    @Inject
    DataSource dataSource;

    Api api;
    GatewayChannels channels;

    abstract Map<String, String> databaseProperties();

    @Override
    public Map<String, String> getProperties() {
        return HubTestProperties.with(databaseProperties(), ADMIN);
    }

    @BeforeAll
    void clients() {
        api = new Api(server.getURI());
        channels = new GatewayChannels(gateway::port, ca::caCertificate);
    }

    @AfterEach
    void closeChannels() {
        channels.close();
    }

    /** A tenant, an environment with an enrolled agent, and a deployment. */
    record Setup(String tenantId, String environmentId, String agentId, ManagedChannel channel, String deploymentId) {
    }

    @Test
    void aSampleIsAckedAfterCommitServedWithItsLabelsAndTheNextSampleReplacesIt() {
        Setup s = setup();
        TestMetricsStream stream = new TestMetricsStream(s.channel());

        MetricsAck ack = stream.exchange(batch(1, deployment(s.deploymentId(), 7,
                workload("StatefulSet", "apps", "cache", 3, 2), workload("Deployment", "apps", "cache-exporter", 1, 1))
                .addPodPhases(phase("Running", 3)).addPodPhases(phase("Pending", 1)).build()));

        assertThat(ack.getSequence()).isEqualTo(1);
        assertThat(ack.getStored()).isEqualTo(1);
        assertThat(ack.getUnknownDeploymentsList()).isEmpty();
        PrometheusText scraped = scrape(ADMIN, "");
        String[] mine = {"tenant", s.tenantId(), "environment", s.environmentId(), "deployment", s.deploymentId()};
        assertThat(scraped.value("outpost_deployment_ready_replicas", with(mine, "kind", "StatefulSet",
                "namespace", "apps", "workload", "cache"))).isEqualTo(2);
        assertThat(scraped.value("outpost_deployment_desired_replicas", with(mine, "workload", "cache"))).isEqualTo(3);
        assertThat(scraped.value("outpost_deployment_ready_replicas", with(mine, "workload", "cache-exporter")))
                .isEqualTo(1);
        assertThat(scraped.value("outpost_deployment_pods", with(mine, "phase", "Running"))).isEqualTo(3);
        assertThat(scraped.value("outpost_deployment_pods", with(mine, "phase", "Pending"))).isEqualTo(1);
        // every phase is served, 0 when no pod is in it
        assertThat(scraped.value("outpost_deployment_pods", with(mine, "phase", "Failed"))).isZero();
        assertThat(scraped.value("outpost_deployment_container_restarts", mine)).isEqualTo(7);
        assertThat(scraped.find("outpost_deployment_container_restarts", mine).getFirst().labels())
                .containsOnlyKeys("tenant", "environment", "deployment");

        // the exporter is gone from the release: the next sample is the whole state
        MetricsAck next = stream.exchange(batch(2, deployment(s.deploymentId(), 8,
                workload("StatefulSet", "apps", "cache", 3, 3)).addPodPhases(phase("Running", 3)).build()));
        assertThat(next.getSequence()).isEqualTo(2);
        PrometheusText after = scrape(ADMIN, "");
        assertThat(after.value("outpost_deployment_ready_replicas", with(mine, "workload", "cache"))).isEqualTo(3);
        assertThat(after.find("outpost_deployment_ready_replicas", with(mine, "workload", "cache-exporter"))).isEmpty();
        assertThat(after.value("outpost_deployment_pods", with(mine, "phase", "Pending"))).isZero();
        assertThat(after.value("outpost_deployment_container_restarts", mine)).isEqualTo(8);
    }

    @Test
    void forwardedWorkloadSeriesAreServedUnderTheirOwnNamesWithTheDeploymentsLabelsAndOnlyToTheirTenant() {
        Setup mine = setup();
        Setup theirs = setup();
        new TestMetricsStream(mine.channel()).exchange(batch(1, deployment(mine.deploymentId(), 0)
                .addScraped(scraped("cache_hits_total", "cache-0", 1200, "shard", "a", "pod", "inner\"quoted\""))
                .addScraped(scraped("cache_hits_total", "cache-1", 30, "shard", "b"))
                .addScraped(scraped("cache_memory_bytes", "cache-0", 1.5e6))
                .addScraped(scraped("outpost_deployment_pods", "cache-0", 99))
                .addScraped(widest("cache_widest", "cache-0"))
                .setScrapedOmitted(4).build()));
        new TestMetricsStream(theirs.channel()).exchange(batch(1, deployment(theirs.deploymentId(), 0)
                .addScraped(scraped("cache_hits_total", "other-0", 5)).build()));

        PrometheusText own = scrape(tenantToken(mine.tenantId()), "");
        String[] at = {"tenant", mine.tenantId(), "environment", mine.environmentId(), "deployment", mine.deploymentId()};
        assertThat(own.value("cache_hits_total", with(at, "pod", "cache-0", "shard", "a"))).isEqualTo(1200);
        // the workload's own "pod" label does not hide the hub's: it is served as exported_pod, escaped
        assertThat(own.find("cache_hits_total", "pod", "cache-0").getFirst().labels())
                .containsEntry("exported_pod", "inner\"quoted\"");
        assertThat(own.value("cache_hits_total", with(at, "pod", "cache-1", "shard", "b"))).isEqualTo(30);
        assertThat(own.value("cache_memory_bytes", with(at, "pod", "cache-0"))).isEqualTo(1.5e6);
        assertThat(own.value("outpost_deployment_scraped_omitted", at)).isEqualTo(4);
        // a series at every label limit, with values JSON must escape at length, is stored and served
        assertThat(own.find("cache_widest", at).getFirst().labels()).containsAllEntriesOf(widest("cache_widest", "cache-0")
                .getLabelsMap());
        // a workload cannot pose as one of the hub's own families
        assertThat(own.find("outpost_deployment_pods", "pod", "cache-0")).isEmpty();
        assertThat(own.find("cache_hits_total", "deployment", theirs.deploymentId())).isEmpty();

        assertThat(scrape(ADMIN, "").value("cache_hits_total", "deployment", theirs.deploymentId(), "pod", "other-0"))
                .isEqualTo(5);

        // the next sample replaces the forwarded series too
        new TestMetricsStream(mine.channel()).exchange(batch(1, deployment(mine.deploymentId(), 0)
                .addScraped(scraped("cache_hits_total", "cache-0", 1300, "shard", "a")).build()));
        PrometheusText after = scrape(ADMIN, "?tenantId=" + mine.tenantId());
        assertThat(after.find("cache_hits_total")).hasSize(1);
        assertThat(after.value("cache_hits_total", "shard", "a")).isEqualTo(1300);
        assertThat(after.find("cache_memory_bytes")).isEmpty();
    }

    /** The most labels a sample may have, each of the longest value, of characters JSON escapes as \\u0001. */
    static ScrapedSample widest(String metric, String pod) {
        ScrapedSample.Builder sample = ScrapedSample.newBuilder().setMetric(metric).setPod(pod).setValue(1);
        for (int i = 0; i < dev.outpost.protocol.GrpcLimits.MAX_SCRAPED_LABELS; i++) {
            sample.putLabels("l" + "x".repeat(98) + i, "\u0001".repeat(dev.outpost.protocol.GrpcLimits.MAX_SCRAPED_LABEL_VALUE_CHARS));
        }
        return sample.build();
    }

    static ScrapedSample scraped(String metric, String pod, double value, String... labels) {
        ScrapedSample.Builder sample = ScrapedSample.newBuilder().setMetric(metric).setPod(pod).setValue(value);
        for (int i = 0; i < labels.length; i += 2) {
            sample.putLabels(labels[i], labels[i + 1]);
        }
        return sample.build();
    }

    @Test
    void aTenantTokenScrapesOnlyItsOwnTenantAndTheAdminScrapesAll() {
        Setup mine = setup();
        Setup theirs = setup();
        new TestMetricsStream(mine.channel()).exchange(batch(1, deployment(mine.deploymentId(), 1,
                workload("Deployment", "apps", "web", 2, 2)).build()));
        new TestMetricsStream(theirs.channel()).exchange(batch(1, deployment(theirs.deploymentId(), 5,
                workload("Deployment", "apps", "web", 4, 1)).build()));
        String token = tenantToken(mine.tenantId());

        PrometheusText own = scrape(token, "");
        assertThat(own.samples()).isNotEmpty().allSatisfy(sample ->
                assertThat(sample.labels()).containsEntry("tenant", mine.tenantId()));
        assertThat(own.value("outpost_deployment_ready_replicas", "deployment", mine.deploymentId())).isEqualTo(2);
        assertThat(own.find("outpost_deployment_ready_replicas", "deployment", theirs.deploymentId())).isEmpty();
        assertThat(scrape(token, "?tenantId=" + theirs.tenantId()).samples()).isEmpty();

        PrometheusText all = scrape(ADMIN, "");
        assertThat(all.value("outpost_deployment_ready_replicas", "deployment", theirs.deploymentId())).isEqualTo(1);
        assertThat(all.value("outpost_deployment_ready_replicas", "deployment", mine.deploymentId())).isEqualTo(2);
        PrometheusText one = scrape(ADMIN, "?tenantId=" + theirs.tenantId());
        assertThat(one.samples()).isNotEmpty().allSatisfy(sample ->
                assertThat(sample.labels()).containsEntry("tenant", theirs.tenantId()));

        assertThat(api.get(PROMETHEUS, null).status()).isEqualTo(401);
        assertThat(api.get(PROMETHEUS, "opa_" + "xx".repeat(16)).status()).isEqualTo(401);
    }

    @Test
    void anAgentCannotWriteAnotherEnvironmentsDeploymentAndUnknownIdsAreNamedInTheAck() {
        Setup mine = setup();
        Setup theirs = setup();
        TestMetricsStream stream = new TestMetricsStream(mine.channel());

        MetricsAck ack = stream.exchange(MetricsBatch.newBuilder().setSequence(1).setSampledAtUnixMs(1)
                .addDeployments(deployment(mine.deploymentId(), 0, workload("Deployment", "apps", "web", 1, 1)))
                .addDeployments(deployment(theirs.deploymentId(), 99, workload("Deployment", "apps", "evil", 9, 9)))
                .addDeployments(deployment("dep_gone", 0)).build());

        assertThat(ack.getStored()).isEqualTo(1);
        assertThat(ack.getUnknownDeploymentsList()).containsExactlyInAnyOrder(theirs.deploymentId(), "dep_gone");
        PrometheusText all = scrape(ADMIN, "");
        assertThat(all.find("outpost_deployment_ready_replicas", "deployment", theirs.deploymentId())).isEmpty();
        assertThat(all.find("outpost_deployment_ready_replicas", "workload", "evil")).isEmpty();
        assertThat(stream.closed).isNotDone();
    }

    @Test
    void batchesBreakingARuleEndTheStreamNamingTheRuleAndStoreNothing() throws Exception {
        Setup s = setup();
        DeploymentMetrics.Builder tooMany = deployment(s.deploymentId(), 0);
        for (int i = 0; i <= dev.outpost.protocol.GrpcLimits.MAX_METRICS_WORKLOADS_PER_DEPLOYMENT; i++) {
            tooMany.addWorkloads(workload("Deployment", "apps", "w" + i, 1, 1));
        }
        Map<MetricsBatch, String> refused = Map.of(
                batch(0, deployment(s.deploymentId(), 0).build()), "sequence must be positive",
                MetricsBatch.newBuilder().setSequence(1).build(), "has no deployments",
                batch(1, tooMany.build()), "deployments[0]: has 51 workloads, more than 50",
                batch(1, deployment(s.deploymentId(), 0, workload("CronJob", "apps", "x", 1, 1)).build()),
                "deployments[0].workloads[0]: kind must be Deployment, StatefulSet or DaemonSet",
                batch(1, deployment(s.deploymentId(), 0).addPodPhases(phase("Sleeping", 1)).build()),
                "deployments[0].pod_phases[0]: phase must be one of Pending, Running",
                batch(1, deployment(s.deploymentId(), 0, workload("Deployment", "apps", "x", -1, 1)).build()),
                "replicas must be from 0 to 1000000",
                MetricsBatch.newBuilder().setSequence(1).addDeployments(deployment(s.deploymentId(), 0))
                        .addDeployments(deployment(s.deploymentId(), 0)).build(), "deployments[1]: deployment "
                        + s.deploymentId() + " appears twice");
        Map<MetricsBatch, String> refusedScraped = Map.of(
                batch(1, deployment(s.deploymentId(), 0).addScraped(scraped("9bad", "p", 1)).build()),
                "deployments[0].scraped[0]: metric is not a Prometheus metric name",
                batch(1, deployment(s.deploymentId(), 0).addScraped(scraped("m", "p", Double.NaN)).build()),
                "deployments[0].scraped[0]: value must be a finite number",
                batch(1, deployment(s.deploymentId(), 0).addScraped(scraped("m", "p", 1, "__name__", "x")).build()),
                "label names must be Prometheus label names not starting with __",
                batch(1, deployment(s.deploymentId(), 0).addScraped(scraped("m", "p", 1, "a", "b"))
                        .addScraped(scraped("m", "p", 2, "a", "b")).build()),
                "deployments[0].scraped[1]: the series (metric, pod, labels) appears twice");
        Map<MetricsBatch, String> all = new java.util.HashMap<>(refused);
        all.putAll(refusedScraped);
        for (Map.Entry<MetricsBatch, String> batch : all.entrySet()) {
            TestMetricsStream stream = new TestMetricsStream(s.channel());
            stream.send(batch.getKey());
            Status closed = stream.awaitClosed();
            assertThat(closed.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(closed.getDescription()).contains(batch.getValue());
            assertThat(stream.acks).isEmpty();
        }
        assertThat(scrape(ADMIN, "?tenantId=" + s.tenantId()).samples()).isEmpty();
    }

    @Test
    void seriesNotSampledForFiveMinutesAreNotServed() {
        Setup s = setup();
        new TestMetricsStream(s.channel()).exchange(batch(1, deployment(s.deploymentId(), 0,
                workload("Deployment", "apps", "web", 1, 1)).build()));
        assertThat(scrape(ADMIN, "?tenantId=" + s.tenantId()).samples()).isNotEmpty();

        // the agent went away six minutes ago (or the deployment's namespace was deleted under it)
        backdate(s.deploymentId(), Instant.now().minus(Duration.ofMinutes(6)));

        assertThat(scrape(ADMIN, "?tenantId=" + s.tenantId()).samples()).isEmpty();
        new TestMetricsStream(s.channel()).exchange(batch(1, deployment(s.deploymentId(), 0,
                workload("Deployment", "apps", "web", 1, 0)).build()));
        assertThat(scrape(ADMIN, "?tenantId=" + s.tenantId()).value("outpost_deployment_ready_replicas",
                "deployment", s.deploymentId())).isZero();
    }

    @Test
    void aRevokedAgentIsRefused() throws Exception {
        Setup s = setup();
        TestMetricsStream open = new TestMetricsStream(s.channel());
        open.exchange(batch(1, deployment(s.deploymentId(), 0).build()));
        Api.Response revoked = api.post("/api/v1/agents/" + s.agentId() + "/revoke", ADMIN, Map.of());
        assertThat(revoked.status()).as(revoked.toString()).isEqualTo(200);

        open.send(batch(2, deployment(s.deploymentId(), 0).build()));
        assertThat(open.awaitClosed().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    }

    @Test
    void theHealthSummarySaysWhatIsWrongFromTheLatestSampleTheStatusAndTheLastUsageWindow() throws Exception {
        Setup s = setup();
        Setup other = setup();
        JsonNode before = health(s.deploymentId(), ADMIN);
        assertThat(before.get("verdict").asText()).isEqualTo("unknown");
        assertThat(before.get("problems").get(0).asText()).isEqualTo("no Kubernetes sample from the agent yet");
        assertThat(before.get("kubernetes").isNull()).isTrue();
        assertThat(before.get("lastUsageWindow").isNull()).isTrue();
        assertThat(before.get("status").asText()).isEqualTo("pending");

        TestMetricsStream stream = new TestMetricsStream(s.channel());
        stream.exchange(batch(1, deployment(s.deploymentId(), 4, workload("StatefulSet", "apps", "cache", 3, 1))
                .addPodPhases(phase("Running", 1)).addPodPhases(phase("Pending", 2)).build()));
        JsonNode degraded = health(s.deploymentId(), ADMIN);
        assertThat(degraded.get("verdict").asText()).isEqualTo("unhealthy");
        assertThat(degraded.get("problems")).extracting(JsonNode::asText)
                .containsExactly("StatefulSet apps/cache: 1 of 3 replicas ready");
        assertThat(degraded.at("/kubernetes/workloads/0/readyReplicas").asInt()).isEqualTo(1);
        assertThat(degraded.at("/kubernetes/workloads/0/desiredReplicas").asInt()).isEqualTo(3);
        assertThat(degraded.at("/kubernetes/pods/Pending").asInt()).isEqualTo(2);
        assertThat(degraded.at("/kubernetes/pods/Failed").asInt()).isZero();
        assertThat(degraded.at("/kubernetes/containerRestarts").asInt()).isEqualTo(4);
        assertThat(degraded.at("/kubernetes/fresh").asBoolean()).isTrue();

        stream.exchange(batch(2, deployment(s.deploymentId(), 4, workload("StatefulSet", "apps", "cache", 3, 3))
                .addPodPhases(phase("Running", 3)).build()));
        long windowEnd = System.currentTimeMillis() / 60_000 * 60_000;
        reportUsage(s, windowEnd - 60_000, windowEnd);
        JsonNode healthy = health(s.deploymentId(), ADMIN);
        assertThat(healthy.get("verdict").asText()).as(healthy.toString()).isEqualTo("healthy");
        assertThat(healthy.get("problems")).isEmpty();
        assertThat(Instant.parse(healthy.at("/lastUsageWindow/windowEnd").asText()).toEpochMilli()).isEqualTo(windowEnd);
        assertThat(healthy.at("/lastUsageWindow/meters")).extracting(m -> m.get("meter").asText() + "="
                + m.get("quantity").asText()).containsExactly("cpu.requested.core-seconds=15");

        // an old sample is shown, but does not make the deployment healthy
        backdate(s.deploymentId(), Instant.now().minus(Duration.ofMinutes(6)));
        JsonNode stale = health(s.deploymentId(), ADMIN);
        assertThat(stale.get("verdict").asText()).isEqualTo("unknown");
        assertThat(stale.at("/kubernetes/fresh").asBoolean()).isFalse();
        assertThat(stale.get("problems").get(0).asText()).contains("older than 5 minutes");

        // scoped like a deployment read: another tenant's token gets 404, its own token the summary
        Api.Response foreign = api.get("/api/v1/deployments/" + s.deploymentId() + "/health", tenantToken(other.tenantId()));
        assertThat(foreign.status()).isEqualTo(404);
        assertThat(health(s.deploymentId(), tenantToken(s.tenantId())).get("deploymentId").asText())
                .isEqualTo(s.deploymentId());
        assertThat(api.get("/api/v1/deployments/dep_none/health", ADMIN).status()).isEqualTo(404);
        assertThat(api.get("/api/v1/deployments/" + s.deploymentId() + "/health", null).status()).isEqualTo(401);
    }

    JsonNode health(String deploymentId, String token) {
        Api.Response response = api.get("/api/v1/deployments/" + deploymentId + "/health", token);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json();
    }

    /** One usage record of the deployment over [startMs, endMs), acknowledged by the hub. */
    void reportUsage(Setup s, long startMs, long endMs) throws Exception {
        String meter = "cpu.requested.core-seconds";
        java.util.concurrent.LinkedBlockingQueue<UsageAck> acks = new java.util.concurrent.LinkedBlockingQueue<>();
        StreamObserver<UsageBatch> out = TelemetryGrpc.newStub(s.channel()).reportUsage(new StreamObserver<>() {
            @Override
            public void onNext(UsageAck ack) {
                acks.add(ack);
            }

            @Override
            public void onError(Throwable error) {
            }

            @Override
            public void onCompleted() {
            }
        });
        out.onNext(UsageBatch.newBuilder().setSequence(1).setSpool(SpoolState.getDefaultInstance())
                .addRecords(UsageRecord.newBuilder().setIdempotencyKey(UsageKeys.key(s.agentId(), s.deploymentId(), meter,
                        startMs, endMs)).setDeploymentId(s.deploymentId()).setMeter(meter).setUnit("core-second")
                        .setWindowStartUnixMs(startMs).setWindowEndUnixMs(endMs).setQuantity("15")).build());
        UsageAck ack = acks.poll(20, TimeUnit.SECONDS);
        assertThat(ack).isNotNull();
        assertThat(ack.getStored()).as(ack.toString()).isEqualTo(1);
        out.onCompleted();
    }

    // ---- helpers

    PrometheusText scrape(String token, String query) {
        Api.Response response = api.get(PROMETHEUS + query, token);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.contentType()).startsWith("text/plain; version=0.0.4");
        return PrometheusText.parse(response.raw().body());
    }

    static String[] with(String[] base, String... more) {
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    static MetricsBatch batch(long sequence, DeploymentMetrics... deployments) {
        return MetricsBatch.newBuilder().setSequence(sequence).setSampledAtUnixMs(System.currentTimeMillis())
                .addAllDeployments(List.of(deployments)).build();
    }

    static DeploymentMetrics.Builder deployment(String id, long restarts, WorkloadMetrics... workloads) {
        return DeploymentMetrics.newBuilder().setDeploymentId(id).setContainerRestarts(restarts)
                .addAllWorkloads(List.of(workloads));
    }

    static WorkloadMetrics workload(String kind, String namespace, String name, int desired, int ready) {
        return WorkloadMetrics.newBuilder().setKind(kind).setNamespace(namespace).setName(name)
                .setDesiredReplicas(desired).setReadyReplicas(ready).build();
    }

    static PodPhaseCount phase(String phase, int pods) {
        return PodPhaseCount.newBuilder().setPhase(phase).setPods(pods).build();
    }

    Setup setup() {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        Api.Response tenant = api.post("/api/v1/tenants", ADMIN, Map.of("name", "tenant-" + suffix));
        assertThat(tenant.status()).as(tenant.toString()).isEqualTo(201);
        String tenantId = tenant.json().get("id").asText();
        Api.Response env = api.post("/api/v1/environments", ADMIN, Map.of("tenantId", tenantId,
                "name", "env-" + suffix, "cloud", "aws", "region", "eu-west-1", "clusterName", "prod"));
        assertThat(env.status()).as(env.toString()).isEqualTo(201);
        String environmentId = env.json().get("id").asText();
        Api.Response token = api.post("/api/v1/environments/" + environmentId + "/join-tokens", ADMIN, Map.of("uses", 1));
        assertThat(token.status()).as(token.toString()).isEqualTo(201);
        ManagedChannel channel;
        String agentId;
        try {
            KeyPair keys = TestCsr.p256();
            EnrollResponse enrolled = EnrollmentGrpc.newBlockingStub(channels.anonymous())
                    .withDeadlineAfter(20, TimeUnit.SECONDS).enroll(EnrollRequest.newBuilder()
                            .setJoinToken(token.json().get("token").asText())
                            .setCsrDer(ByteString.copyFrom(TestCsr.csr(keys))).setAgentVersion("0.3.0")
                            .setCluster(ClusterFacts.newBuilder().setKubernetesVersion("v1.36.3").setNodeCount(1))
                            .build());
            agentId = enrolled.getAgentId();
            channel = channels.withCertificate(keys, Pem.parseCertificate(enrolled.getCertificatePem()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        ReleaseFixture fixture = ReleaseFixture.redisV1();
        Api.Response release = api.post("/api/v1/releases", ADMIN, Map.of("serviceName", "redis-" + suffix,
                "version", fixture.version(), "manifests", fixture.manifests(), "defaultParameters", fixture.defaults()));
        assertThat(release.status()).as(release.toString()).isEqualTo(201);
        Api.Response created = api.post("/api/v1/deployments", ADMIN, Map.of("environmentId", environmentId,
                "releaseId", release.json().get("id").asText(), "name", "cache", "namespace", "apps"));
        assertThat(created.status()).as(created.toString()).isEqualTo(202);
        return new Setup(tenantId, environmentId, agentId, channel, created.json().at("/deployment/id").asText());
    }

    String tenantToken(String tenantId) {
        Api.Response token = api.post("/api/v1/tenants/" + tenantId + "/tokens", ADMIN, Map.of("name", "scraper"));
        assertThat(token.status()).as(token.toString()).isEqualTo(201);
        return token.json().get("token").asText();
    }

    void backdate(String deploymentId, Instant at) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "update deployment_metrics set received_at = ? where deployment_id = ?")) {
            s.setObject(1, at.atOffset(java.time.ZoneOffset.UTC));
            s.setString(2, deploymentId);
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
