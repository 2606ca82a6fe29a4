package dev.outpost.e2e.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.e2e.support.ChildProcess;
import dev.outpost.e2e.support.Cleanup;
import dev.outpost.e2e.support.HubApi;
import dev.outpost.e2e.support.HubWithAgent;
import dev.outpost.e2e.support.TcpProxy;
import dev.outpost.e2e.support.TestDatabase;
import dev.outpost.testcluster.KubeCluster;
import dev.outpost.testcluster.KubeClusterExtension;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #9's log promise, end to end on PostgreSQL: test workloads write lines (served by kwok through
 * the real apiserver) while the hub is killed and restarted, the agent is killed and restarted, and the
 * network between them is cut for 30 s. Lines are found by query and seen in a live tail; afterwards,
 * for every container, the lines stored plus the lines counted as dropped equal the lines written,
 * and no line is stored twice. Another tenant sees none of it.
 */
@ExtendWith(KubeClusterExtension.class)
class LogsUnderFaultsOnPostgresIT {
    private static final Duration PATIENCE = Duration.ofMinutes(3);
    private static final Duration PARTITION = Duration.ofSeconds(30);
    /**
     * The smallest buffer (1 MiB, about 5,000 of these lines): the 30 s cut (about 6,000 lines) overflows
     * it, so drops are exercised, not only counted as zero.
     */
    private static final String AGENT_BUFFER_BYTES = "1048576";
    private static final int DEPLOYMENTS = 2;
    private static final int REPLICAS = 2;

    @TempDir
    Path work;

    private final Cleanup cleanup = new Cleanup();
    private final List<PodLogWriter> writers = new ArrayList<>();

    @AfterEach
    void stopEverything() throws Exception {
        for (PodLogWriter writer : writers) {
            writer.close();
        }
        cleanup.close();
    }

    @Test
    void everyLineIsStoredOnceOrCountedAsDroppedThroughHubKillAgentKillAndPartition(KubeCluster cluster)
            throws Exception {
        TcpProxy[] proxy = new TcpProxy[1];
        HubWithAgent s = HubWithAgent.start(cluster, TestDatabase.freshPostgres(), work, cleanup,
                List.of("--log-buffer-max-bytes", AGENT_BUFFER_BYTES),
                hubAddress -> cleanup.track(proxy[0] = new TcpProxy(hubAddress)).address());
        HubApi admin = s.admin();

        List<String> deployments = ChattyWorkloads.deploy(s, DEPLOYMENTS, REPLICAS);
        // Each pod's container writes ~50 lines/s to a file kwok serves as its log.
        for (PodLogWriter writer : ChattyWorkloads.writers(cluster, work, deployments, REPLICAS)) {
            writers.add(writer.start(5, 100));
        }
        assertThat(writers).hasSize(DEPLOYMENTS * REPLICAS);
        await("lines of every pod are found by query").atMost(PATIENCE).pollInterval(Duration.ofMillis(500))
                .until(() -> writers.stream().allMatch(w -> !page(admin, "pod=" + w.pod() + "&limit=1").isEmpty()));

        // The live tail: a marker line written now shows up in an open follow.
        PodLogWriter first = writers.get(0);
        List<Long> tailMillis = new ArrayList<>();
        try (LogTail tail = new LogTail(s.hub().baseUrl(), s.hub().adminToken(), "deploymentId=" + deployments.get(0))) {
            await("the tail is open").atMost(Duration.ofSeconds(30)).until(() -> tail.status() == 200 && tail.received() > 0);
            for (int i = 0; i < 5; i++) {
                String marker = "tail marker " + i + " " + s.suffix();
                long written = System.nanoTime();
                first.writeNow(marker);
                await("marker %d in the live tail".formatted(i)).atMost(Duration.ofSeconds(15))
                        .pollInterval(Duration.ofMillis(20)).until(() -> tail.arrived(marker) != null);
                tailMillis.add((tail.arrived(marker) - written) / 1_000_000);
            }
        }

        // Fault 1: the hub crashes; the agent follows on (its buffer may overflow: counted) and ships once it is back.
        long storedBeforeHubKill = ChattyWorkloads.Totals.of(admin, deployments).stored();
        s.hub().kill9();
        await("the agent runs on while the hub is down").during(Duration.ofSeconds(10))
                .atMost(Duration.ofSeconds(20)).until(s.agent()::isAlive);
        s.hub().start();

        // Fault 2: the agent crashes and starts again on its state: it reads each log again from where the hub acked.
        await("lines flow again").atMost(PATIENCE).pollInterval(Duration.ofMillis(500))
                .until(() -> ChattyWorkloads.Totals.of(admin, deployments).stored() > storedBeforeHubKill);
        s.agent().kill9();
        ChildProcess agent = s.restartAgent(cleanup, "agent-after-kill");

        // Fault 3: a 30 s partition.
        proxy[0].cut();
        await("the agent stays up through the partition").during(PARTITION).atMost(PARTITION.plusSeconds(10))
                .until(agent::isAlive);
        proxy[0].restore();

        // The writers stop; then every line written must be stored or counted as dropped.
        for (PodLogWriter writer : writers) {
            writer.close();
        }
        long produced = writers.stream().mapToLong(w -> w.written().size()).sum();
        await("stored + dropped = produced, per container").atMost(PATIENCE).pollInterval(Duration.ofSeconds(1))
                .until(() -> writers.stream().allMatch(w -> accounted(admin, w.pod()) == w.written().size()));

        ChattyWorkloads.Totals totals = ChattyWorkloads.Totals.of(admin, deployments);
        System.out.printf("logs e2e: %d lines written, %d stored, %d counted as dropped; live tail latencies %s ms; "
                + "%d connections through the proxy%n", produced, totals.stored(), totals.dropped(), tailMillis,
                proxy[0].acceptedConnections());
        assertThat(totals.stored() + totals.dropped()).isEqualTo(produced);

        // Line by line: each stored line was written, none is stored twice, and the counts add up.
        for (PodLogWriter writer : writers) {
            List<String> stored = allLines(admin, writer.pod());
            assertThat(new HashSet<>(stored)).as("no line of %s stored twice", writer.pod()).hasSize(stored.size());
            assertThat(writer.written()).as("stored lines of %s were written", writer.pod()).containsAll(stored);
            JsonNode source = source(admin, writer.pod());
            assertThat(source.path("storedLines").asLong()).isEqualTo(stored.size());
            assertThat(stored.size() + source.path("droppedLines").asLong()).isEqualTo(writer.written().size());
        }

        // The agent's own log is shipped too, under its id, and shares the bounded buffer with the
        // workloads (so here, with the buffer overflowing, its oldest lines may be among those dropped,
        // and counted): its lines are stored, none of them a deployment's, none carrying the join token.
        String agentId = admin.get("/api/v1/agents?environmentId=" + s.environmentId()).expect(200)
                .get(0).path("id").asText();
        await("the agent's own log at the hub").atMost(PATIENCE).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                .until(() -> source(admin, agentId).path("storedLines").asLong() > 0);
        List<JsonNode> own = page(admin, "pod=" + agentId + "&container=outpost-agent&limit=1000");
        assertThat(own).isNotEmpty().allSatisfy(line -> {
            assertThat(line.path("deploymentId").asText()).isEmpty();
            assertThat(line.path("text").asText()).doesNotContain("jt_");
        });
        System.out.printf("logs e2e: the agent's own log: %d lines stored, %d counted as dropped%n",
                source(admin, agentId).path("storedLines").asLong(), source(admin, agentId).path("droppedLines").asLong());

        // Another tenant's token sees none of it, on any logs endpoint.
        String otherTenant = admin.post("/api/v1/tenants", Map.of("name", "other-" + s.suffix())).expect(201)
                .path("id").asText();
        String otherToken = admin.post("/api/v1/tenants/" + otherTenant + "/tokens", Map.of("name", "sre"))
                .expect(201).path("token").asText();
        HubApi other = admin.as(otherToken);
        String someDeployment = deployments.get(0);
        for (String path : List.of("/api/v1/logs", "/api/v1/logs?deploymentId=" + someDeployment,
                "/api/v1/logs?pod=" + first.pod(), "/api/v1/logs?pod=" + agentId, "/api/v1/logs?regex=line",
                "/api/v1/logs/sources",
                "/api/v1/logs/sources?deploymentId=" + someDeployment)) {
            HubApi.Response answer = other.get(path);
            assertThat(answer.status()).as(path).isIn(200, 404);
            if (answer.status() == 200) {
                JsonNode body = answer.body();
                assertThat(body.has("lines") ? body.path("lines") : body.path("items")).as(path).isEmpty();
            }
        }
        try (LogTail tail = new LogTail(s.hub().baseUrl(), otherToken, "deploymentId=" + someDeployment)) {
            first.writeNow("for the owner only " + s.suffix());
            await("the owner's tail would have it").atMost(Duration.ofSeconds(15))
                    .until(() -> !page(admin, "contains=" + enc("for the owner only " + s.suffix())).isEmpty());
            await("another tenant's tail gets nothing").during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                    .until(() -> tail.received() == 0);
        }
    }

    /** The hub's view of one pod's container: its counts. */
    private static JsonNode source(HubApi admin, String pod) {
        List<JsonNode> found = new ArrayList<>();
        admin.get("/api/v1/logs/sources").expect(200).path("items").forEach(source -> {
            if (pod.equals(source.path("pod").asText())) {
                found.add(source);
            }
        });
        assertThat(found).as("sources of pod %s", pod).hasSize(1);
        return found.get(0);
    }

    private static long accounted(HubApi admin, String pod) {
        JsonNode source = source(admin, pod);
        return source.path("storedLines").asLong() + source.path("droppedLines").asLong();
    }

    /** One page of lines matching {@code query}, oldest first. */
    private static List<JsonNode> page(HubApi admin, String query) {
        List<JsonNode> lines = new ArrayList<>();
        admin.get("/api/v1/logs?order=oldest&" + query).expect(200).path("lines").forEach(lines::add);
        return lines;
    }

    /** Every stored line of the pod, oldest first, page by page. */
    private static List<String> allLines(HubApi admin, String pod) {
        List<String> texts = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = admin.get("/api/v1/logs?order=oldest&limit=1000&pod=" + enc(pod)
                    + (cursor == null ? "" : "&cursor=" + enc(cursor))).expect(200);
            page.path("lines").forEach(line -> texts.add(line.path("text").asText()));
            cursor = page.path("nextCursor").isTextual() ? page.path("nextCursor").asText() : null;
        } while (cursor != null);
        return texts;
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
