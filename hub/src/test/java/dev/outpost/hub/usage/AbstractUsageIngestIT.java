package dev.outpost.hub.usage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import dev.outpost.hub.gateway.AgentGateway;
import dev.outpost.hub.gateway.GatewayChannels;
import dev.outpost.hub.pki.HubCertificateAuthority;
import dev.outpost.hub.pki.TestCsr;
import dev.outpost.hub.testsupport.Api;
import dev.outpost.hub.testsupport.HubTestProperties;
import dev.outpost.protocol.GrpcLimits;
import dev.outpost.protocol.Pem;
import dev.outpost.protocol.fixtures.ReleaseFixture;
import dev.outpost.protocol.usage.UsageKeys;
import dev.outpost.protocol.v1.ClusterFacts;
import dev.outpost.protocol.v1.EnrollRequest;
import dev.outpost.protocol.v1.EnrollResponse;
import dev.outpost.protocol.v1.EnrollmentGrpc;
import dev.outpost.protocol.v1.RejectedUsage;
import dev.outpost.protocol.v1.SpoolState;
import dev.outpost.protocol.v1.UsageAck;
import dev.outpost.protocol.v1.UsageBatch;
import dev.outpost.protocol.v1.UsageRecord;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Usage over a real Telemetry stream (mutual TLS, a certificate the hub issued through enrolment) into
 * the real store, read back on the REST API. Subclasses pick the database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractUsageIngestIT implements TestPropertyProvider {
    static final String ADMIN = "opa_" + "us".repeat(16);
    static final String CPU = "cpu.requested.core-seconds";
    static final String PODS = "pods.running.pod-hours";
    /** Deployments are backdated to this, so windows months ago are still after their creation. */
    static final Instant CREATED = Instant.parse("2026-09-01T00:00:00Z");
    static final Instant OCT_31_23H = Instant.parse("2026-10-31T23:00:00Z");

    @Inject
    AgentGateway gateway;
    @Inject
    HubCertificateAuthority ca;
    @Inject
    EmbeddedServer server;
    @Inject
    DataSource dataSource;
    @Inject
    UsageIngest ingest;

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

    /** A tenant, an environment with an enrolled agent, and a deployment created "in September". */
    record Setup(String tenantId, String environmentId, String agentId, ManagedChannel channel, String deploymentId) {
    }

    @Test
    void aBatchIsAckedWithItsCountsAfterCommitAndTheSameBatchAgainIsAllDuplicates() {
        Setup s = setup();
        UsageBatch batch = batch(1, spool(3, 900, 1_000_000, 0),
                record(s, CPU, "core-second", OCT_31_23H, 60, "30.5"),
                record(s, CPU, "core-second", OCT_31_23H.plusSeconds(60), 60, "29.500000001"),
                record(s, PODS, "pod-hour", OCT_31_23H, 60, "0.016666667"));
        TestUsageStream stream = new TestUsageStream(s.channel());

        UsageAck first = stream.exchange(batch);

        assertThat(first.getSequence()).isEqualTo(1);
        assertThat(first.getStored()).isEqualTo(3);
        assertThat(first.getDuplicates()).isZero();
        assertThat(first.getRejectedList()).isEmpty();
        assertThat(records(s.deploymentId())).hasSize(3);
        JsonNode hour = usage("deploymentId=" + s.deploymentId() + "&meter=" + CPU).get("items");
        assertThat(hour).hasSize(1);
        assertThat(hour.at("/0/quantity").asText()).isEqualTo("60.000000001");
        assertThat(hour.at("/0/records").asInt()).isEqualTo(2);
        assertThat(hour.at("/0/unit").asText()).isEqualTo("core-second");
        assertThat(hour.at("/0/tenantId").asText()).isEqualTo(s.tenantId());
        assertThat(Instant.parse(hour.at("/0/periodStart").asText())).isEqualTo(OCT_31_23H);

        // the agent never saw the ack (say): it sends the batch again, on this stream and after a reconnect
        UsageAck again = stream.exchange(batch);
        assertThat(again.getStored()).isZero();
        assertThat(again.getDuplicates()).isEqualTo(3);
        stream.complete();
        TestUsageStream reconnected = new TestUsageStream(s.channel());
        UsageAck afterReconnect = reconnected.exchange(batch);
        assertThat(afterReconnect.getDuplicates()).isEqualTo(3);

        assertThat(records(s.deploymentId())).hasSize(3);
        JsonNode unchanged = usage("deploymentId=" + s.deploymentId() + "&meter=" + CPU).get("items");
        assertThat(unchanged.at("/0/quantity").asText()).isEqualTo("60.000000001");
        assertThat(unchanged.at("/0/records").asInt()).isEqualTo(2);
        assertThat(hourlySum(s.deploymentId())).isEqualByComparingTo(recordSum(s.deploymentId()));
    }

    @Test
    void refusedRecordsAreAckedWithTheirReasonsCountedPerAgentAndTheRestIsStored() {
        Setup s = setup();
        Setup other = setup();
        UsageRecord good = record(s, CPU, "core-second", OCT_31_23H, 60, "1");
        UsageRecord mismatch = record(s, CPU, "core-second", OCT_31_23H.plusSeconds(60), 60, "1").toBuilder()
                .setIdempotencyKey(UsageKeys.key("agt_someone_else", s.deploymentId(), CPU,
                        OCT_31_23H.plusSeconds(60).toEpochMilli(), OCT_31_23H.plusSeconds(120).toEpochMilli())).build();
        UsageRecord foreign = recordFor(s.agentId(), other.deploymentId(), CPU, "core-second", OCT_31_23H, 60, "1");
        UsageRecord badQuantity = record(s, CPU, "core-second", OCT_31_23H.plusSeconds(180), 60, "1e3");
        Instant future = Instant.now().plus(Duration.ofHours(1));
        UsageRecord inFuture = record(s, CPU, "core-second", future, 60, "1");
        UsageRecord badMeter = record(s, "CPU!", "core-second", OCT_31_23H, 60, "1");
        UsageRecord early = record(s, CPU, "core-second", CREATED.minus(Duration.ofMinutes(10)), 60, "1");
        TestUsageStream stream = new TestUsageStream(s.channel());

        UsageAck ack = stream.exchange(batch(7, spool(7, 4096, 1 << 20, 5).toBuilder().setUnmeasuredWindowsTotal(4).build(), good, mismatch, foreign, badQuantity,
                inFuture, badMeter, early));

        assertThat(ack.getStored()).isEqualTo(1);
        assertThat(ack.getRejectedList()).extracting(RejectedUsage::getReason).containsExactly("key-mismatch",
                "unknown-deployment", "bad-quantity", "window-in-future", "bad-meter", "window-before-deployment");
        assertThat(ack.getRejected(1).getIdempotencyKey()).isEqualTo(foreign.getIdempotencyKey());
        assertThat(records(s.deploymentId())).hasSize(1);
        assertThat(records(other.deploymentId())).isEmpty();

        // a later batch: one more mismatch; lower totals (a reset spool) never lower the counts shown
        stream.exchange(batch(8, spool(1, 100, 1 << 20, 3).toBuilder().setUnmeasuredWindowsTotal(1).build(), mismatch.toBuilder().setIdempotencyKey("u1-x").build()));
        JsonNode agent = agentUsage(s.agentId(), api.get("/api/v1/usage/agents?tenantId=" + s.tenantId(), ADMIN));
        assertThat(agent.get("tenantId").asText()).isEqualTo(s.tenantId());
        assertThat(agent.get("pendingRecords").asLong()).isEqualTo(1);
        assertThat(agent.get("pendingBytes").asLong()).isEqualTo(100);
        assertThat(agent.get("maxBytes").asLong()).isEqualTo(1 << 20);
        assertThat(agent.get("droppedRecordsTotal").asLong()).isEqualTo(5);
        assertThat(agent.get("unmeasuredWindowsTotal").asLong()).isEqualTo(4);
        assertThat(agent.has("reportedAt")).isTrue();
        Map<String, Integer> counts = new java.util.TreeMap<>();
        agent.get("rejections").forEach(r -> counts.put(r.get("reason").asText(), r.get("count").asInt()));
        assertThat(counts).containsExactlyInAnyOrderEntriesOf(Map.of("key-mismatch", 2, "unknown-deployment", 1,
                "bad-quantity", 1, "window-in-future", 1, "bad-meter", 1, "window-before-deployment", 1));
        assertThat(stream.closed).isNotDone();
    }

    @Test
    void batchesBreakingABatchRuleEndTheStreamNamingTheRuleAndStoreNothing() throws Exception {
        Setup s = setup();
        UsageBatch.Builder oversized = UsageBatch.newBuilder().setSequence(1).setSpool(spool(1001, 1, 1, 0));
        for (int i = 0; i <= GrpcLimits.MAX_USAGE_RECORDS_PER_BATCH; i++) {
            oversized.addRecords(record(s, CPU, "core-second", OCT_31_23H.plusSeconds(i), 1, "1"));
        }
        UsageRecord one = record(s, CPU, "core-second", OCT_31_23H, 60, "1");
        Map<UsageBatch, String> refused = Map.of(
                oversized.build(), "has 1001 records, more than 1000",
                UsageBatch.newBuilder().setSequence(2).build(), "has no records",
                batch(0, spool(1, 1, 1, 0), one), "sequence must be positive",
                batch(3, spool(2, 1, 1, 0), one, one), "duplicate idempotency key at records[1]");

        for (Map.Entry<UsageBatch, String> batch : refused.entrySet()) {
            TestUsageStream stream = new TestUsageStream(s.channel());
            stream.send(batch.getKey());
            Status closed = stream.awaitClosed();
            assertThat(closed.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(closed.getDescription()).contains(batch.getValue());
            assertThat(stream.acks).isEmpty();
        }
        assertThat(records(s.deploymentId())).isEmpty();
        assertThat(usage("deploymentId=" + s.deploymentId()).get("items")).isEmpty();
        assertThat(api.get("/api/v1/usage/agents?tenantId=" + s.tenantId(), ADMIN).json().get("items")).isEmpty();
    }

    @Test
    void hoursDaysAndMonthsAreExactSumsInUtcAndCsvHasTheSameRows() {
        Setup s = setup();
        Instant nov1 = Instant.parse("2026-11-01T00:00:00Z");
        TestUsageStream stream = new TestUsageStream(s.channel());
        stream.exchange(batch(1, spool(0, 0, 1, 0),
                record(s, CPU, "core-second", OCT_31_23H, 1800, "0.1"),
                record(s, CPU, "core-second", OCT_31_23H.plusSeconds(1800), 1800, "0.2"),
                record(s, CPU, "core-second", nov1, 1800, "0.3"),
                record(s, CPU, "core-second", nov1.plusSeconds(3600), 1800, "0.000000001"),
                record(s, CPU, "core-second", Instant.parse("2026-11-02T05:00:00Z"), 1800, "1000000000000")));
        String filter = "deploymentId=" + s.deploymentId();

        JsonNode hours = usage(filter).get("items");
        assertThat(hours).extracting(n -> n.get("periodStart").asText() + "=" + n.get("quantity").asText())
                .containsExactly("2026-10-31T23:00:00Z=0.3", "2026-11-01T00:00:00Z=0.3",
                        "2026-11-01T01:00:00Z=0.000000001", "2026-11-02T05:00:00Z=1000000000000");
        JsonNode days = usage(filter + "&groupBy=day").get("items");
        assertThat(days).extracting(n -> n.get("periodStart").asText() + "=" + n.get("quantity").asText() + "/"
                        + n.get("records").asInt())
                .containsExactly("2026-10-31T00:00:00Z=0.3/2", "2026-11-01T00:00:00Z=0.300000001/2",
                        "2026-11-02T00:00:00Z=1000000000000/1");
        JsonNode months = usage(filter + "&groupBy=month").get("items");
        assertThat(months).extracting(n -> n.get("periodStart").asText() + "=" + n.get("quantity").asText())
                .containsExactly("2026-10-01T00:00:00Z=0.3", "2026-11-01T00:00:00Z=1000000000000.300000001");
        // from inclusive, to exclusive
        JsonNode ranged = usage(filter + "&from=2026-11-01T00:00:00Z&to=2026-11-02T05:00:00Z").get("items");
        assertThat(ranged).hasSize(2);

        Api.Response csv = api.get("/api/v1/usage?" + filter + "&groupBy=day&format=csv", ADMIN);
        assertThat(csv.status()).as(csv.toString()).isEqualTo(200);
        assertThat(csv.contentType()).startsWith("text/csv");
        List<String> lines = csv.raw().body().lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines.getFirst()).isEqualTo("period_start,tenant_id,environment_id,deployment_id,meter,unit,quantity,records");
        assertThat(lines.get(2)).isEqualTo("2026-11-01T00:00:00Z," + s.tenantId() + "," + s.environmentId() + ","
                + s.deploymentId() + "," + CPU + ",core-second,0.300000001,2");
        Api.Response accepted = api.send("GET", "/api/v1/usage?" + filter, ADMIN, null, null,
                Map.of("Accept", "text/csv"));
        assertThat(accepted.contentType()).startsWith("text/csv");
        assertThat(accepted.raw().body().lines().toList()).hasSize(5);
    }

    @Test
    void pagingThroughRecordsReturnsEveryRecordExactlyOnceInWindowOrder() {
        Setup s = setup();
        List<UsageRecord> sent = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            // several records share a window start (two meters), so the id breaks ties
            sent.add(record(s, i % 2 == 0 ? CPU : PODS, i % 2 == 0 ? "core-second" : "pod-hour",
                    OCT_31_23H.plusSeconds(60L * (i / 2)), 60, i + ".5"));
        }
        new TestUsageStream(s.channel()).exchange(batch(1, spool(0, 0, 1, 0), sent.toArray(UsageRecord[]::new)));

        List<JsonNode> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Api.Response page = api.get("/api/v1/usage/records?deploymentId=" + s.deploymentId() + "&limit=5"
                    + (cursor == null ? "" : "&cursor=" + cursor), ADMIN);
            assertThat(page.status()).as(page.toString()).isEqualTo(200);
            page.json().get("items").forEach(seen::add);
            cursor = page.json().get("nextCursor").isNull() ? null : page.json().get("nextCursor").asText();
            pages++;
        } while (cursor != null && pages < 20);

        assertThat(pages).isEqualTo(5);
        assertThat(seen).hasSize(23);
        Set<String> keys = new HashSet<>();
        seen.forEach(r -> keys.add(r.get("idempotencyKey").asText()));
        assertThat(keys).containsExactlyInAnyOrderElementsOf(sent.stream().map(UsageRecord::getIdempotencyKey).toList());
        List<Instant> starts = seen.stream().map(r -> Instant.parse(r.get("windowStart").asText())).toList();
        assertThat(starts).isSorted();
        JsonNode first = seen.stream().filter(r -> r.get("idempotencyKey").asText()
                .equals(sent.getFirst().getIdempotencyKey())).findFirst().orElseThrow();
        assertThat(first.get("agentId").asText()).isEqualTo(s.agentId());
        assertThat(first.get("quantity").asText()).isEqualTo("0.5");
        assertThat(Instant.parse(first.get("windowEnd").asText())).isEqualTo(OCT_31_23H.plusSeconds(60));
        assertThat(first.has("receivedAt")).isTrue();
    }

    @Test
    void badQueryParametersAreRefusedNamingTheParameter() {
        Map<String, String> bad = Map.ofEntries(
                Map.entry("/api/v1/usage?from=", "from"),
                Map.entry("/api/v1/usage?groupBy=", "groupBy"),
                Map.entry("/api/v1/usage/records?cursor=", "cursor"),
                Map.entry("/api/v1/usage/records?limit=", "limit"),
                Map.entry("/api/v1/usage/records?from=2026-11-01T00:00:00", "from"),
                Map.entry("/api/v1/usage/records?cursor=" + "a".repeat(101), "cursor"),
                Map.entry("/api/v1/usage?from=yesterday", "from"),
                Map.entry("/api/v1/usage?to=2026-13-01T00:00:00Z", "to"),
                Map.entry("/api/v1/usage?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z", "to"),
                Map.entry("/api/v1/usage?groupBy=week", "groupBy"),
                Map.entry("/api/v1/usage?format=xml", "format"),
                Map.entry("/api/v1/usage/records?limit=0", "limit"),
                Map.entry("/api/v1/usage/records?limit=1001", "limit"),
                Map.entry("/api/v1/usage/records?limit=ten", "limit"),
                Map.entry("/api/v1/usage/records?cursor=bm9wZQ", "cursor"));
        bad.forEach((path, parameter) -> {
            Api.Response response = api.get(path, ADMIN);
            assertThat(response.status()).as(path + " " + response).isEqualTo(400);
            assertThat(response.contentType()).startsWith("application/problem+json");
            assertThat(response.json().at("/errors/0/field").asText()).as(path).isEqualTo(parameter);
            assertThat(response.json().get("detail").asText()).as(path).startsWith(parameter + ": ");
        });
        // offsets and lower-case letters are RFC 3339 too
        assertThat(api.get("/api/v1/usage?from=2026-11-01t01:00:00%2B01:00&to=2026-11-02T00:00:00z", ADMIN).status())
                .isEqualTo(200);
        assertThat(api.get("/api/v1/usage", null).status()).isEqualTo(401);
        assertThat(api.get("/api/v1/usage/records", null).status()).isEqualTo(401);
        assertThat(api.get("/api/v1/usage/agents", null).status()).isEqualTo(401);
    }

    @Test
    void aTenantTokenSeesOnlyItsOwnTenantsUsageOnEveryEndpoint() {
        Setup mine = setup();
        Setup theirs = setup();
        new TestUsageStream(mine.channel()).exchange(batch(1, spool(1, 1, 1, 0),
                record(mine, CPU, "core-second", OCT_31_23H, 60, "1")));
        new TestUsageStream(theirs.channel()).exchange(batch(1, spool(1, 1, 1, 0),
                record(theirs, CPU, "core-second", OCT_31_23H, 60, "2"),
                record(theirs, CPU, "core-second", OCT_31_23H.plusSeconds(60), 60, "u1-bad").toBuilder()
                        .setIdempotencyKey("u1-bad").build()));
        String token = tenantToken(mine.tenantId());

        for (String endpoint : List.of("/api/v1/usage", "/api/v1/usage/records", "/api/v1/usage/agents")) {
            JsonNode own = api.get(endpoint, token).json().get("items");
            assertThat(own).as(endpoint).hasSize(1);
            assertThat(own.at("/0/tenantId").asText()).isEqualTo(mine.tenantId());
            assertThat(api.get(endpoint + "?tenantId=" + theirs.tenantId(), token).json().get("items")).as(endpoint)
                    .isEmpty();
        }
        for (String endpoint : List.of("/api/v1/usage", "/api/v1/usage/records")) {
            assertThat(api.get(endpoint + "?deploymentId=" + theirs.deploymentId(), token).json().get("items"))
                    .as(endpoint).isEmpty();
            assertThat(api.get(endpoint + "?environmentId=" + theirs.environmentId(), token).json().get("items"))
                    .as(endpoint).isEmpty();
            // the admin sees both
            assertThat(api.get(endpoint + "?deploymentId=" + theirs.deploymentId(), ADMIN).json().get("items"))
                    .as(endpoint).hasSize(1);
        }
        assertThat(agentUsage(theirs.agentId(), api.get("/api/v1/usage/agents", ADMIN)).get("rejections")).hasSize(1);
    }

    @Test
    void batchesPipelinedUpToTheAgentsWindowAreAllAckedInOrder() {
        Setup s = setup();
        TestUsageStream stream = new TestUsageStream(s.channel());
        for (int i = 1; i <= GrpcLimits.MAX_USAGE_BATCHES_IN_FLIGHT; i++) {
            stream.send(batch(i, spool(i, 1, 1, 0), record(s, CPU, "core-second", OCT_31_23H.plusSeconds(60L * i), 60,
                    "1")));
        }
        List<Long> sequences = new ArrayList<>();
        for (int i = 1; i <= GrpcLimits.MAX_USAGE_BATCHES_IN_FLIGHT; i++) {
            UsageAck ack = stream.nextAck();
            assertThat(ack.getStored()).isEqualTo(1);
            sequences.add(ack.getSequence());
        }
        assertThat(sequences).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
        assertThat(records(s.deploymentId())).hasSize(GrpcLimits.MAX_USAGE_BATCHES_IN_FLIGHT);
    }

    @Test
    void whenTheDatabaseFailsTheStreamEndsUnavailableNothingIsAckedOrStoredAndTheRetryIsStored() throws Exception {
        Setup s = setup();
        UsageBatch batch = batch(1, spool(1, 1, 1, 0), record(s, CPU, "core-second", OCT_31_23H, 60, "2.5"));
        TestUsageStream stream = new TestUsageStream(s.channel());
        // the last write of a batch fails: everything before it must be rolled back
        execute("alter table agent_usage_spool rename to agent_usage_spool_away");
        Status closed;
        try {
            stream.send(batch);
            closed = stream.awaitClosed();
        } finally {
            execute("alter table agent_usage_spool_away rename to agent_usage_spool");
        }
        assertThat(closed.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(closed.getDescription()).isEqualTo("hub cannot store usage now; send the batch again later");
        assertThat(stream.acks).isEmpty();
        assertThat(records(s.deploymentId())).isEmpty();
        assertThat(hourlySum(s.deploymentId())).isEqualByComparingTo(BigDecimal.ZERO);

        UsageAck retried = new TestUsageStream(s.channel()).exchange(batch);
        assertThat(retried.getStored()).isEqualTo(1);
        assertThat(usage("deploymentId=" + s.deploymentId()).at("/items/0/quantity").asText()).isEqualTo("2.5");
    }

    @Test
    void aRevokedAgentIsRefusedOnItsOpenStreamAndOnNewOnes() throws Exception {
        Setup s = setup();
        TestUsageStream open = new TestUsageStream(s.channel());
        open.exchange(batch(1, spool(1, 1, 1, 0), record(s, CPU, "core-second", OCT_31_23H, 60, "1")));
        Api.Response revoked = api.post("/api/v1/agents/" + s.agentId() + "/revoke", ADMIN, Map.of());
        assertThat(revoked.status()).as(revoked.toString()).isEqualTo(200);

        open.send(batch(2, spool(1, 1, 1, 0), record(s, CPU, "core-second", OCT_31_23H.plusSeconds(60), 60, "1")));
        assertThat(open.awaitClosed().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        TestUsageStream fresh = new TestUsageStream(s.channel());
        fresh.send(batch(2, spool(1, 1, 1, 0), record(s, CPU, "core-second", OCT_31_23H.plusSeconds(60), 60, "1")));
        assertThat(fresh.awaitClosed().getCode()).isIn(Status.Code.PERMISSION_DENIED, Status.Code.UNAUTHENTICATED);
        assertThat(records(s.deploymentId())).hasSize(1);
    }

    // ---- helpers

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
        String deploymentId = created.json().at("/deployment/id").asText();
        sql("update deployments set created_at = ? where id = ?", CREATED, deploymentId);
        return new Setup(tenantId, environmentId, agentId, channel, deploymentId);
    }

    String tenantToken(String tenantId) {
        Api.Response token = api.post("/api/v1/tenants/" + tenantId + "/tokens", ADMIN, Map.of("name", "usage-reader"));
        assertThat(token.status()).as(token.toString()).isEqualTo(201);
        return token.json().get("token").asText();
    }

    static UsageRecord record(Setup s, String meter, String unit, Instant start, long seconds, String quantity) {
        return recordFor(s.agentId(), s.deploymentId(), meter, unit, start, seconds, quantity);
    }

    static UsageRecord recordFor(String agentId, String deploymentId, String meter, String unit, Instant start,
            long seconds, String quantity) {
        long startMs = start.toEpochMilli();
        long endMs = start.plusSeconds(seconds).toEpochMilli();
        return UsageRecord.newBuilder().setIdempotencyKey(UsageKeys.key(agentId, deploymentId, meter, startMs, endMs))
                .setDeploymentId(deploymentId).setMeter(meter).setUnit(unit).setWindowStartUnixMs(startMs)
                .setWindowEndUnixMs(endMs).setQuantity(quantity).build();
    }

    static UsageBatch batch(long sequence, SpoolState spool, UsageRecord... records) {
        return UsageBatch.newBuilder().setSequence(sequence).setSpool(spool).addAllRecords(List.of(records)).build();
    }

    static SpoolState spool(long pending, long bytes, long max, long dropped) {
        return SpoolState.newBuilder().setPendingRecords(pending).setPendingBytes(bytes).setMaxBytes(max)
                .setDroppedRecordsTotal(dropped).build();
    }

    JsonNode usage(String query) {
        Api.Response response = api.get("/api/v1/usage?" + query, ADMIN);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json();
    }

    List<JsonNode> records(String deploymentId) {
        Api.Response response = api.get("/api/v1/usage/records?limit=1000&deploymentId="
                + URLEncoder.encode(deploymentId, StandardCharsets.UTF_8), ADMIN);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        List<JsonNode> items = new ArrayList<>();
        response.json().get("items").forEach(items::add);
        return items;
    }

    static JsonNode agentUsage(String agentId, Api.Response response) {
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        for (JsonNode agent : response.json().get("items")) {
            if (agent.get("agentId").asText().equals(agentId)) {
                return agent;
            }
        }
        throw new AssertionError("agent " + agentId + " not listed: " + response);
    }

    BigDecimal hourlySum(String deploymentId) {
        return decimal("select coalesce(sum(quantity), 0) from usage_hourly where deployment_id = ?", deploymentId);
    }

    BigDecimal recordSum(String deploymentId) {
        return decimal("select coalesce(sum(quantity), 0) from usage_records where deployment_id = ?", deploymentId);
    }

    long count(String query, String param) {
        return decimal(query, param).longValueExact();
    }

    BigDecimal decimal(String query, String param) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(query)) {
            s.setString(1, param);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getBigDecimal(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    void execute(String statement) {
        try (Connection c = dataSource.getConnection(); java.sql.Statement st = c.createStatement()) {
            st.execute(statement);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    void sql(String update, Instant at, String id) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(update)) {
            s.setObject(1, at.atOffset(java.time.ZoneOffset.UTC));
            s.setString(2, id);
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
