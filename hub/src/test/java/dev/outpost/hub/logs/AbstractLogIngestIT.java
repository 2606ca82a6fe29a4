package dev.outpost.hub.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import dev.outpost.protocol.v1.ClusterFacts;
import dev.outpost.protocol.v1.EnrollRequest;
import dev.outpost.protocol.v1.EnrollResponse;
import dev.outpost.protocol.v1.EnrollmentGrpc;
import dev.outpost.protocol.v1.LogAck;
import dev.outpost.protocol.v1.LogBatch;
import dev.outpost.protocol.v1.LogBufferState;
import dev.outpost.protocol.v1.LogLine;
import dev.outpost.protocol.v1.LogPosition;
import dev.outpost.protocol.v1.LogSource;
import dev.outpost.protocol.v1.LogStream;
import dev.outpost.protocol.v1.SourceLogs;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Logs over a real Telemetry stream (mutual TLS, a certificate the hub issued through enrolment) into
 * the real store, read back on the REST API. Subclasses pick the database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractLogIngestIT implements TestPropertyProvider {
    static final String ADMIN = "opa_" + "lg".repeat(16);
    /** Lines "of yesterday": inside the retention. */
    static final long T0 = LogViews.nanos(Instant.now().minus(Duration.ofDays(1)).truncatedTo(java.time.temporal.ChronoUnit.HOURS));
    static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    AgentGateway gateway;
    @Inject
    HubCertificateAuthority ca;
    @Inject
    EmbeddedServer server;
    @Inject
    DataSource dataSource;
    @Inject
    LogIngest ingest;
    @Inject
    LogRetention retention;

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

    record Setup(String tenantId, String environmentId, String agentId, ManagedChannel channel, String deploymentId) {
    }

    @Test
    void linesAtOrBelowTheSourcesPositionAreDuplicatesAndDropsAreCountedOnce() {
        Setup s = setup();
        SourceLogs first = source(s, "web-0", "uid-1", "app", 0, 3, 0);
        LogBatch batch = batch(1, first);
        TestLogStream stream = new TestLogStream(s.channel());

        LogAck ack = stream.exchange(batch);
        assertThat(ack.getSequence()).isEqualTo(1);
        assertThat(ack.getStored()).isEqualTo(3);
        assertThat(ack.getDuplicates()).isZero();

        // the ack was lost: the agent sends the same lines again on a new stream, with two more
        stream.complete();
        TestLogStream again = new TestLogStream(s.channel());
        LogAck resent = again.exchange(batch(1, source(s, "web-0", "uid-1", "app", 0, 5, 0)));
        assertThat(resent.getStored()).isEqualTo(2);
        assertThat(resent.getDuplicates()).isEqualTo(3);

        // the agent dropped lines 5..9 and sends 10..11; then the same batch once more
        SourceLogs dropped = source(s, "web-0", "uid-1", "app", 10, 2, 0).toBuilder().setDroppedLines(5)
                .setDroppedFrom(position(5)).setDroppedThrough(position(9)).build();
        LogAck withDrops = again.exchange(batch(2, dropped));
        assertThat(withDrops.getStored()).isEqualTo(2);
        assertThat(withDrops.getDroppedCounted()).isEqualTo(5);
        LogAck dropsAgain = again.exchange(batch(3, dropped));
        assertThat(dropsAgain.getStored()).isZero();
        assertThat(dropsAgain.getDuplicates()).isEqualTo(2);
        assertThat(dropsAgain.getDroppedCounted()).isZero();

        assertThat(lines("deploymentId=" + s.deploymentId() + "&order=oldest&limit=1000"))
                .extracting(l -> l.get("text").asText())
                .containsExactly("line 0", "line 1", "line 2", "line 3", "line 4", "line 10", "line 11");
        JsonNode sources = api.get("/api/v1/logs/sources?deploymentId=" + s.deploymentId(), ADMIN).json().get("items");
        assertThat(sources).hasSize(1);
        assertThat(sources.at("/0/storedLines").asLong()).isEqualTo(7);
        assertThat(sources.at("/0/droppedLines").asLong()).isEqualTo(5);
        assertThat(sources.at("/0/podUid").asText()).isEqualTo("uid-1");
        assertThat(Instant.parse(sources.at("/0/lastLineTime").asText())).isEqualTo(LogViews.instant(T0 + 11_000_000L));
        // stored + dropped = produced (12 lines read by the agent)
        assertThat(sources.at("/0/storedLines").asLong() + sources.at("/0/droppedLines").asLong()).isEqualTo(12);
    }

    @Test
    void theDeploymentsHealthShowsItsLatestLinesThatLookLikeErrorsFromTheLastFifteenMinutes() {
        Setup s = setup();
        Setup other = setup();
        long now = LogViews.nanos(Instant.now());
        long second = 1_000_000_000L;
        SourceLogs web0 = lines(s, "web-0", "uid-h0", Map.of(
                now - 20 * 60 * second, "ERROR from before the window",
                now - 60 * second, "ready to accept connections",
                now - 50 * second, "ERROR could not connect to the primary",
                now - 40 * second, "panic: replication stream closed",
                now - 30 * second, "no errors in the last sync"));
        SourceLogs web1 = lines(s, "web-1", "uid-h1", Map.of(now - 10 * second, "java.lang.IllegalStateException: full"));
        SourceLogs foreign = lines(other, "web-0", "uid-h2", Map.of(now - 5 * second, "FATAL another deployment"));
        new TestLogStream(s.channel()).exchange(batch(1, web0, web1));
        new TestLogStream(other.channel()).exchange(batch(1, foreign));

        Api.Response health = api.get("/api/v1/deployments/" + s.deploymentId() + "/health", tenantToken(s.tenantId()));
        assertThat(health.status()).as(health.toString()).isEqualTo(200);
        JsonNode errors = health.json().get("recentLogErrors");
        assertThat(errors.get("linesRead").asInt()).isEqualTo(5);
        assertThat(errors.get("moreNotRead").asBoolean()).isFalse();
        assertThat(errors.get("errorLines").asInt()).isEqualTo(3);
        assertThat(errors.get("latest")).extracting(l -> l.get("pod").asText() + ": " + l.get("text").asText())
                .containsExactly("web-1: java.lang.IllegalStateException: full", "web-0: panic: replication stream closed",
                        "web-0: ERROR could not connect to the primary");
        // shown, not judged: without a Kubernetes sample the verdict stays unknown
        assertThat(health.json().get("verdict").asText()).isEqualTo("unknown");
    }

    /** Lines of one source at the given times (sorted), each with its text. */
    static SourceLogs lines(Setup s, String pod, String podUid, Map<Long, String> textAt) {
        SourceLogs.Builder b = SourceLogs.newBuilder().setSource(logSource(s, pod, podUid, "app"));
        new java.util.TreeMap<>(textAt).forEach((ns, text) -> b.addLines(LogLine.newBuilder()
                .setPosition(LogPosition.newBuilder().setTimeUnixNanos(ns)).setStream(LogStream.LOG_STREAM_COMBINED)
                .setText(text)));
        return b.build();
    }

    @Test
    void batchesBreakingARuleEndTheStreamNamingItAndStoreNothing() throws Exception {
        Setup s = setup();
        Setup other = setup();
        SourceLogs good = source(s, "web-0", "uid-r", "app", 0, 2, 0);
        SourceLogs descending = good.toBuilder().addLines(line(0)).build();
        SourceLogs dropsAfter = source(s, "web-0", "uid-r", "app", 0, 1, 0).toBuilder().setDroppedLines(1)
                .setDroppedFrom(position(5)).setDroppedThrough(position(5)).build();
        LogBatch.Builder oversized = LogBatch.newBuilder().setSequence(1);
        oversized.addSources(source(s, "web-0", "uid-r", "app", 0, GrpcLimits.MAX_LOG_LINES_PER_BATCH + 1, 0));
        SourceLogs tooLong = SourceLogs.newBuilder().setSource(good.getSource()).addLines(line(0).toBuilder()
                .setText("x".repeat(GrpcLimits.MAX_LOG_LINE_BYTES + 1))).build();
        Map<LogBatch, String> refused = Map.of(
                oversized.build(), "has 1001 lines, more than 1000",
                LogBatch.newBuilder().setSequence(1).build(), "has no sources",
                batch(0, good), "sequence must be positive",
                batch(1, descending), "sources[0].lines[2]: positions must ascend",
                batch(1, dropsAfter), "sources[0]: drops must be before the batch's first line",
                batch(1, good, good), "sources[1]: the same source appears twice",
                batch(1, tooLong), "sources[0].lines[0]: text has 16385 bytes",
                batch(1, good, source(other, "web-0", "uid-o", "app", 0, 1, 0)),
                "sources[1]: deployment " + other.deploymentId() + " is not a deployment of the agent's environment");

        for (Map.Entry<LogBatch, String> entry : refused.entrySet()) {
            TestLogStream stream = new TestLogStream(s.channel());
            stream.send(entry.getKey());
            Status closed = stream.awaitClosed();
            assertThat(closed.getCode()).as(entry.getValue()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(closed.getDescription()).contains(entry.getValue());
            assertThat(stream.acks).isEmpty();
        }
        assertThat(lines("deploymentId=" + s.deploymentId())).isEmpty();
        assertThat(api.get("/api/v1/logs/sources?tenantId=" + s.tenantId(), ADMIN).json().get("items")).isEmpty();
    }

    @Test
    void whenTheDatabaseFailsNothingIsAckedOrStoredAndTheRetryIsStored() throws Exception {
        Setup s = setup();
        LogBatch batch = batch(1, source(s, "web-0", "uid-f", "app", 0, 3, 0));
        TestLogStream stream = new TestLogStream(s.channel());
        execute("alter table log_lines rename to log_lines_away");
        Status closed;
        try {
            stream.send(batch);
            closed = stream.awaitClosed();
        } finally {
            execute("alter table log_lines_away rename to log_lines");
        }
        assertThat(closed.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(stream.acks).isEmpty();
        assertThat(lines("deploymentId=" + s.deploymentId())).isEmpty();
        assertThat(api.get("/api/v1/logs/sources?deploymentId=" + s.deploymentId(), ADMIN).json().get("items")).isEmpty();

        LogAck retried = new TestLogStream(s.channel()).exchange(batch);
        assertThat(retried.getStored()).isEqualTo(3);
        assertThat(lines("deploymentId=" + s.deploymentId())).hasSize(3);
    }

    @Test
    void queriesFilterByPodContainerTimeTextAndRegexAndPageInBothOrders() {
        Setup s = setup();
        new TestLogStream(s.channel()).exchange(batch(1, source(s, "web-0", "uid-q0", "app", 0, 12, 0),
                source(s, "web-1", "uid-q1", "app", 0, 3, 0), source(s, "web-0", "uid-q0", "sidecar", 0, 2, 0)));
        String dep = "deploymentId=" + s.deploymentId();

        assertThat(lines(dep + "&limit=1000")).hasSize(17);
        assertThat(lines(dep + "&pod=web-1")).hasSize(3);
        assertThat(lines(dep + "&pod=web-0&container=sidecar")).hasSize(2);
        String from = URLEncoder.encode(LogViews.instant(T0 + 2_000_000L).toString(), StandardCharsets.UTF_8);
        String to = URLEncoder.encode(LogViews.instant(T0 + 5_000_000L).toString(), StandardCharsets.UTF_8);
        assertThat(lines(dep + "&pod=web-0&container=app&from=" + from + "&to=" + to))
                .extracting(l -> l.get("text").asText()).containsExactly("line 4", "line 3", "line 2");
        assertThat(lines(dep + "&pod=web-0&container=app&contains=LINE%201"))
                .extracting(l -> l.get("text").asText()).containsExactly("line 11", "line 10", "line 1");
        assertThat(lines(dep + "&container=app&regex=" + URLEncoder.encode("^line (1[01]|2)$", StandardCharsets.UTF_8)))
                .extracting(l -> l.get("text").asText()).containsExactly("line 11", "line 10", "line 2", "line 2");
        JsonNode one = lines(dep + "&pod=web-1&order=oldest&limit=1").getFirst();
        assertThat(one.get("stream").asText()).isEqualTo("combined");
        assertThat(one.get("namespace").asText()).isEqualTo("apps");
        assertThat(one.get("tenantId").asText()).isEqualTo(s.tenantId());
        assertThat(one.get("environmentId").asText()).isEqualTo(s.environmentId());
        assertThat(Instant.parse(one.get("time").asText())).isEqualTo(LogViews.instant(T0));

        for (String order : List.of("newest", "oldest")) {
            List<String> seen = new ArrayList<>();
            String cursor = null;
            int pages = 0;
            do {
                Api.Response page = api.get("/api/v1/logs?" + dep + "&pod=web-0&container=app&limit=5&order=" + order
                        + (cursor == null ? "" : "&cursor=" + cursor), ADMIN);
                assertThat(page.status()).as(page.toString()).isEqualTo(200);
                page.json().get("lines").forEach(l -> seen.add(l.get("text").asText()));
                cursor = page.json().get("nextCursor").isNull() ? null : page.json().get("nextCursor").asText();
                pages++;
            } while (cursor != null && pages < 10);
            assertThat(pages).isEqualTo(3);
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                expected.add("line " + i);
            }
            if (order.equals("newest")) {
                java.util.Collections.reverse(expected);
            }
            assertThat(seen).as(order).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void badQueryParametersAreRefusedNamingTheParameter() {
        Map<String, String> bad = Map.ofEntries(
                Map.entry("/api/v1/logs?pod=", "pod"),
                Map.entry("/api/v1/logs?from=yesterday", "from"),
                Map.entry("/api/v1/logs?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z", "to"),
                Map.entry("/api/v1/logs?regex=" + URLEncoder.encode("(unclosed", StandardCharsets.UTF_8), "regex"),
                Map.entry("/api/v1/logs?regex=" + "a".repeat(257), "regex"),
                Map.entry("/api/v1/logs?contains=", "contains"),
                Map.entry("/api/v1/logs?limit=0", "limit"),
                Map.entry("/api/v1/logs?limit=1001", "limit"),
                Map.entry("/api/v1/logs?order=up", "order"),
                Map.entry("/api/v1/logs?cursor=bm9wZQ", "cursor"),
                Map.entry("/api/v1/logs?follow=yes", "follow"),
                Map.entry("/api/v1/logs/sources?deploymentId=", "deploymentId"));
        bad.forEach((path, parameter) -> {
            Api.Response response = api.get(path, ADMIN);
            assertThat(response.status()).as(path + " " + response).isEqualTo(400);
            assertThat(response.contentType()).startsWith("application/problem+json");
            assertThat(response.json().at("/errors/0/field").asText()).as(path).isEqualTo(parameter);
        });
        String newest = api.get("/api/v1/logs?limit=1&order=newest", ADMIN).json().get("nextCursor").asText(null);
        if (newest != null) {
            assertThat(api.get("/api/v1/logs?order=oldest&cursor=" + newest, ADMIN).status()).isEqualTo(400);
        }
        assertThat(api.get("/api/v1/logs", null).status()).isEqualTo(401);
        assertThat(api.get("/api/v1/logs/sources", null).status()).isEqualTo(401);
    }

    @Test
    void aTenantTokenSeesOnlyItsOwnTenantsLinesAndSources() {
        Setup mine = setup();
        Setup theirs = setup();
        new TestLogStream(mine.channel()).exchange(batch(1, source(mine, "web-0", "uid-m", "app", 0, 2, 0)));
        new TestLogStream(theirs.channel()).exchange(batch(1, source(theirs, "web-0", "uid-t", "app", 0, 3, 0)));
        String token = tenantToken(mine.tenantId());

        JsonNode own = api.get("/api/v1/logs?limit=1000", token).json().get("lines");
        assertThat(own).hasSize(2);
        own.forEach(l -> assertThat(l.get("tenantId").asText()).isEqualTo(mine.tenantId()));
        assertThat(api.get("/api/v1/logs?deploymentId=" + theirs.deploymentId(), token).json().get("lines")).isEmpty();
        assertThat(api.get("/api/v1/logs?tenantId=" + theirs.tenantId(), token).json().get("lines")).isEmpty();
        assertThat(api.get("/api/v1/logs/sources", token).json().get("items")).hasSize(1);
        assertThat(api.get("/api/v1/logs/sources?deploymentId=" + theirs.deploymentId(), token).json().get("items"))
                .isEmpty();
        assertThat(api.get("/api/v1/logs?deploymentId=" + theirs.deploymentId(), ADMIN).json().get("lines")).hasSize(3);
    }

    @Test
    void anAgentsOwnLogIsStoredUnderItsIdFromItsCertificateAndSeenOnlyByItsTenant() throws Exception {
        Setup mine = setup();
        Setup theirs = setup();
        SourceLogs own = SourceLogs.newBuilder().setSource(LogSource.newBuilder().setAgent(true)
                .setContainer(AgentLogSource.CONTAINER)).addLines(line(0)).addLines(line(1)).build();
        LogAck ack = new TestLogStream(mine.channel()).exchange(batch(1, own));
        assertThat(ack.getStored()).isEqualTo(2);
        // sent again (a reconnect): duplicates by position, as for any source
        assertThat(new TestLogStream(mine.channel()).exchange(batch(1, own)).getDuplicates()).isEqualTo(2);
        new TestLogStream(theirs.channel()).exchange(batch(1, own));

        String query = "/api/v1/logs?pod=" + mine.agentId() + "&container=" + AgentLogSource.CONTAINER;
        JsonNode lines = api.get(query, tenantToken(mine.tenantId())).json().get("lines");
        assertThat(lines).hasSize(2);
        lines.forEach(l -> {
            assertThat(l.get("tenantId").asText()).isEqualTo(mine.tenantId());
            assertThat(l.get("environmentId").asText()).isEqualTo(mine.environmentId());
            assertThat(l.get("pod").asText()).isEqualTo(mine.agentId());
        });
        assertThat(api.get("/api/v1/logs?pod=" + theirs.agentId(), tenantToken(mine.tenantId())).json().get("lines")).isEmpty();
        assertThat(api.get("/api/v1/logs?pod=" + theirs.agentId(), ADMIN).json().get("lines")).hasSize(2);
        // not a deployment's: a deployment's query does not show it
        assertThat(lines("deploymentId=" + mine.deploymentId())).isEmpty();

        SourceLogs posing = own.toBuilder().setSource(own.getSource().toBuilder().setPod(theirs.agentId())).build();
        TestLogStream refused = new TestLogStream(mine.channel());
        refused.send(batch(1, posing));
        Status closed = refused.awaitClosed();
        assertThat(closed.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(closed.getDescription()).contains("sources[0]: the agent's own log has no deployment_id, namespace, pod");
    }

    @Test
    void aLiveTailShowsANewLineWithinTwoSecondsAndOnlyMatchingOnes() throws Exception {
        Setup s = setup();
        Setup other = setup();
        TestLogStream stream = new TestLogStream(s.channel());
        stream.exchange(batch(1, source(s, "web-0", "uid-tail", "app", 0, 2, 0)));
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.getURI() + "/api/v1/logs?follow=true&deploymentId="
                + s.deploymentId())).header("Authorization", "Bearer " + tenantToken(s.tenantId())).GET().build();
        HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        LinkedBlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
        CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> readEvents(response.body(), events));
        try {
            new TestLogStream(other.channel()).exchange(batch(1, source(other, "web-0", "uid-x", "app", 100, 1, 0)));
            Instant sent = Instant.now();
            stream.exchange(batch(2, source(s, "web-0", "uid-tail", "app", 2, 1, 0)));
            JsonNode line = events.poll(2, TimeUnit.SECONDS);
            assertThat(line).as("a line within 2 s").isNotNull();
            assertThat(Duration.between(sent, Instant.now())).isLessThan(Duration.ofSeconds(2));
            assertThat(line.get("text").asText()).isEqualTo("line 2");
            assertThat(line.get("deploymentId").asText()).isEqualTo(s.deploymentId());
            assertThat(events.poll(700, TimeUnit.MILLISECONDS)).as("old and other lines are not tailed").isNull();
        } finally {
            response.body().close();
            reader.cancel(true);
        }
    }

    @Test
    void retentionDeletesLinesOlderThanTheRetentionOnly() {
        Setup s = setup();
        long old = LogViews.nanos(Instant.now().minus(Duration.ofDays(8)));
        SourceLogs ancient = SourceLogs.newBuilder().setSource(logSource(s, "web-0", "uid-old", "app"))
                .addLines(LogLine.newBuilder().setPosition(LogPosition.newBuilder().setTimeUnixNanos(old))
                        .setStream(LogStream.LOG_STREAM_COMBINED).setText("ancient"))
                .build();
        new TestLogStream(s.channel()).exchange(batch(1, ancient, source(s, "web-0", "uid-new", "app", 0, 2, 0)));
        assertThat(lines("deploymentId=" + s.deploymentId())).hasSize(3);

        assertThat(retention.runOnce()).isGreaterThanOrEqualTo(1);

        assertThat(lines("deploymentId=" + s.deploymentId())).extracting(l -> l.get("text").asText())
                .containsExactly("line 1", "line 0");
        // the source keeps its counts and position: the same old line is not stored again
        LogAck resent = new TestLogStream(s.channel()).exchange(batch(1, ancient));
        assertThat(resent.getDuplicates()).isEqualTo(1);
    }

    // ---- helpers

    static void readEvents(InputStream body, LinkedBlockingQueue<JsonNode> events) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String event = null;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.startsWith("event:")) {
                    event = line.substring(6).trim();
                } else if (line.startsWith("data:") && !"heartbeat".equals(event)) {
                    events.add(JSON.readTree(line.substring(5).trim()));
                } else if (line.isEmpty()) {
                    event = null;
                }
            }
        } catch (Exception e) {
            // the test closed the stream
        }
    }

    static LogPosition position(long i) {
        return LogPosition.newBuilder().setTimeUnixNanos(T0 + i * 1_000_000L).setOrdinal(0).build();
    }

    static LogLine line(long i) {
        return LogLine.newBuilder().setPosition(position(i)).setStream(LogStream.LOG_STREAM_COMBINED)
                .setText("line " + i).build();
    }

    static LogSource logSource(Setup s, String pod, String podUid, String container) {
        return LogSource.newBuilder().setDeploymentId(s.deploymentId()).setNamespace("apps").setPod(pod)
                .setPodUid(podUid).setContainer(container).build();
    }

    /** {@code count} lines "line first" ... of one source, one millisecond apart. */
    static SourceLogs source(Setup s, String pod, String podUid, String container, int first, int count, int unused) {
        SourceLogs.Builder b = SourceLogs.newBuilder().setSource(logSource(s, pod, podUid, container));
        for (int i = first; i < first + count; i++) {
            b.addLines(line(i));
        }
        return b.build();
    }

    static LogBatch batch(long sequence, SourceLogs... sources) {
        return LogBatch.newBuilder().setSequence(sequence).addAllSources(List.of(sources))
                .setBuffer(LogBufferState.newBuilder().setMaxBytes(1 << 20)).build();
    }

    List<JsonNode> lines(String query) {
        Api.Response response = api.get("/api/v1/logs?" + query, ADMIN);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        List<JsonNode> lines = new ArrayList<>();
        response.json().get("lines").forEach(lines::add);
        return lines;
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
        Api.Response token = api.post("/api/v1/tenants/" + tenantId + "/tokens", ADMIN, Map.of("name", "log-reader"));
        assertThat(token.status()).as(token.toString()).isEqualTo(201);
        return token.json().get("token").asText();
    }

    long count(String query, String param) {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(query)) {
            st.setString(1, param);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
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
}
