package dev.outpost.e2e.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.e2e.support.ChildProcess;
import dev.outpost.e2e.support.Cleanup;
import dev.outpost.e2e.support.HubApi;
import dev.outpost.e2e.support.HubWithAgent;
import dev.outpost.e2e.support.Operations;
import dev.outpost.e2e.support.TcpProxy;
import dev.outpost.e2e.support.TestDatabase;
import dev.outpost.e2e.telemetry.UsageJournal.Produced;
import dev.outpost.testcluster.KubeCluster;
import dev.outpost.testcluster.KubeClusterExtension;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #9's promise, end to end on PostgreSQL: usage of several deployments is measured by an agent
 * process while the hub is killed (SIGKILL) and restarted, the agent is killed and restarted, and
 * the network between them is partitioned for 30 s. Afterwards the hub has stored, record by record,
 * exactly what the agent's journal says it produced: no gap, no duplicate, and the aggregates equal
 * the sum of the raw records.
 */
@ExtendWith(KubeClusterExtension.class)
class UsageUnderFaultsOnPostgresIT {
    private static final Duration PATIENCE = Duration.ofMinutes(3);
    private static final Duration PARTITION = Duration.ofSeconds(30);
    /** Short windows, so a few minutes of test see many of them. */
    private static final String INTERVAL = "2s";
    private static final int DEPLOYMENTS = 3;
    private static final int METERS = 4;
    private static final String MANIFESTS = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: {{ name }}
            spec:
              replicas: {{ replicas }}
              selector:
                matchLabels:
                  app: {{ name }}
              template:
                metadata:
                  labels:
                    app: {{ name }}
                spec:
                  containers:
                    - name: app
                      image: example.com/metered:1
                      resources:
                        requests:
                          cpu: 250m
                          memory: 64Mi
            """;

    /** A workload that declares a counter meter on its pods (hostNetwork: its pod IP is 127.0.0.1, the test's page). */
    private static final String COUNTED_MANIFESTS = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: counted
            spec:
              replicas: 1
              selector:
                matchLabels:
                  app: counted
              template:
                metadata:
                  labels:
                    app: counted
                  annotations:
                    outpost.dev/metrics-port: "{{ port }}"
                    outpost.dev/meters: '[{"meter": "requests.served", "unit": "request", "kind": "counter", "metric": "e2e_requests_total", "labels": {"result": "ok"} } ]'
                spec:
                  hostNetwork: true
                  containers:
                    - name: app
                      image: example.com/counted:1
                      resources:
                        requests:
                          cpu: 100m
                          memory: 32Mi
            """;
    private static final String COUNTER_METER = "requests.served";

    @TempDir
    Path work;

    private final Cleanup cleanup = new Cleanup();

    @AfterEach
    void stopEverything() throws Exception {
        cleanup.close();
    }

    @Test
    void everyProducedRecordIsStoredOnceThroughHubKillAgentKillAndPartition(KubeCluster cluster) throws Exception {
        Path journal = work.resolve("usage-journal.log");
        TcpProxy[] proxy = new TcpProxy[1];
        HubWithAgent s = HubWithAgent.start(cluster, TestDatabase.freshPostgres(), work, cleanup,
                List.of("--usage-interval", INTERVAL, "--usage-journal", journal.toString()),
                hubAddress -> cleanup.track(proxy[0] = new TcpProxy(hubAddress)).address());
        HubApi admin = s.admin();
        String tenantId = admin.get("/api/v1/environments/" + s.environmentId()).expect(200).path("tenantId").asText();

        // Several deployments with known requests; kwok runs their pods.
        String releaseId = admin.post("/api/v1/releases", Map.of("serviceName", "metered-" + s.suffix(),
                "version", "1.0.0", "manifests", MANIFESTS, "defaultParameters", Map.of("replicas", "2")))
                .expect(201).path("id").asText();
        List<String> deployments = new ArrayList<>();
        for (int i = 0; i < DEPLOYMENTS; i++) {
            JsonNode created = admin.post("/api/v1/deployments", Map.of("environmentId", s.environmentId(),
                    "releaseId", releaseId, "name", "metered-" + i, "namespace", s.agentNamespace(),
                    "parameters", Map.of("name", "metered-" + i, "replicas", Integer.toString(i + 1)))).expect(202);
            deployments.add(created.path("deployment").path("id").asText());
            Operations.awaitSucceeded(admin, created.path("operation").path("id").asText(), s.agent());
        }
        // One more deployment whose workload declares a counter meter, scraped from the test's page.
        CountingMetricsPage page = cleanup.track(new CountingMetricsPage());
        String countedRelease = admin.post("/api/v1/releases", Map.of("serviceName", "counted-" + s.suffix(),
                "version", "1.0.0", "manifests", COUNTED_MANIFESTS, "defaultParameters", Map.of("port", "0")))
                .expect(201).path("id").asText();
        JsonNode counted = admin.post("/api/v1/deployments", Map.of("environmentId", s.environmentId(),
                "releaseId", countedRelease, "name", "counted", "namespace", s.agentNamespace(),
                "parameters", Map.of("port", Integer.toString(page.port())))).expect(202);
        String countedId = counted.path("deployment").path("id").asText();
        deployments.add(countedId);
        Operations.awaitSucceeded(admin, counted.path("operation").path("id").asText(), s.agent());
        await("usage of every deployment at the hub").atMost(PATIENCE).pollInterval(Duration.ofMillis(500))
                .until(() -> deployments.stream().allMatch(d -> storedRecords(admin, d).size() >= METERS));

        // Fault 1: the hub crashes; the agent measures on, and sends its spool once the hub is back.
        s.hub().kill9();
        int beforeHubDown = UsageJournal.read(journal).size();
        await("the agent measures while the hub is down").atMost(PATIENCE).pollInterval(Duration.ofMillis(500))
                .until(() -> UsageJournal.read(journal).size() >= beforeHubDown + 3 * DEPLOYMENTS * METERS);
        s.hub().start();
        awaitHubHas(admin, deployments, UsageJournal.read(journal));

        // Fault 2: the agent crashes and is started again on its state; it catches up the windows it missed.
        s.agent().kill9();
        ChildProcess agent = s.restartAgent(cleanup, "agent-after-kill");
        awaitHubHas(admin, deployments, UsageJournal.read(journal));

        // Fault 3: a 30 s partition; the agent keeps measuring and must survive it.
        int beforePartition = UsageJournal.read(journal).size();
        proxy[0].cut();
        await("the agent stays up through the partition").during(PARTITION).atMost(PARTITION.plusSeconds(10))
                .until(agent::isAlive);
        proxy[0].restore();
        List<Produced> afterPartition = UsageJournal.read(journal);
        assertThat(afterPartition.size()).as("records measured during the partition")
                .isGreaterThanOrEqualTo(beforePartition + 5 * DEPLOYMENTS * METERS);
        awaitHubHas(admin, deployments, afterPartition);

        // The end: deleting the deployments stops their metering; then the journal is final.
        for (String deploymentId : deployments) {
            JsonNode deletion = admin.delete("/api/v1/deployments/" + deploymentId).expect(202);
            Operations.awaitSucceeded(admin, deletion.path("operation").path("id").asText(), agent);
        }
        await("the hub holds every produced record").atMost(PATIENCE).pollInterval(Duration.ofSeconds(1))
                .until(() -> keys(UsageJournal.read(journal)).equals(storedKeys(admin, deployments)));

        List<Produced> produced = UsageJournal.read(journal);
        Map<String, Produced> firstByKey = new LinkedHashMap<>();
        produced.forEach(p -> firstByKey.putIfAbsent(p.key(), p));
        List<JsonNode> stored = new ArrayList<>();
        deployments.forEach(d -> stored.addAll(storedRecords(admin, d)));

        System.out.printf("usage e2e: %d records produced (%d journal lines), %d stored; %d connections through the "
                + "proxy%n", firstByKey.size(), produced.size(), stored.size(), proxy[0].acceptedConnections());

        // Record by record: each key once, with what the agent measured first for it.
        assertThat(stored.stream().map(r -> r.path("idempotencyKey").asText()).distinct().count())
                .as("no record stored twice").isEqualTo(stored.size());
        assertThat(stored).hasSize(firstByKey.size());
        for (JsonNode record : stored) {
            Produced p = firstByKey.get(record.path("idempotencyKey").asText());
            assertThat(p).as("stored record %s was produced", record).isNotNull();
            assertThat(record.path("deploymentId").asText()).isEqualTo(p.deploymentId());
            assertThat(record.path("meter").asText()).isEqualTo(p.meter());
            assertThat(Instant.parse(record.path("windowStart").asText()).toEpochMilli()).isEqualTo(p.windowStartMs());
            assertThat(Instant.parse(record.path("windowEnd").asText()).toEpochMilli()).isEqualTo(p.windowEndMs());
            assertThat(new BigDecimal(record.path("quantity").asText())).isEqualByComparingTo(p.quantity());
        }

        // No gap: per deployment and meter, each window starts where the one before ended.
        Map<String, List<Produced>> series = firstByKey.values().stream()
                .collect(Collectors.groupingBy(p -> p.deploymentId() + " " + p.meter()));
        assertThat(series).hasSize((DEPLOYMENTS + 1) * METERS + 1);
        series.forEach((name, windows) -> {
            List<Produced> sorted = windows.stream().sorted(Comparator.comparingLong(Produced::windowStartMs)).toList();
            for (int i = 1; i < sorted.size(); i++) {
                assertThat(sorted.get(i).windowStartMs()).as("%s: window after %s", name, sorted.get(i - 1))
                        .isEqualTo(sorted.get(i - 1).windowEndMs());
            }
        });

        // The aggregates equal the sum of the raw records, per deployment and meter.
        for (String deploymentId : deployments) {
            Map<String, BigDecimal> raw = sumByMeter(storedRecords(admin, deploymentId));
            Map<String, BigDecimal> hourly = sumByMeter(items(admin.get("/api/v1/usage?deploymentId=" + deploymentId
                    + "&groupBy=hour").expect(200)));
            assertThat(hourly).as("hourly aggregates of %s", deploymentId).isEqualTo(raw);
        }
        // The counter meter through all three faults: the windows billed add up to exactly what the
        // counter grew by, from 0 to the last value the agent read (no increase lost, none twice).
        BigDecimal billed = storedRecords(admin, countedId).stream()
                .filter(r -> r.path("meter").asText().equals(COUNTER_METER))
                .map(r -> new BigDecimal(r.path("quantity").asText())).reduce(BigDecimal.ZERO, BigDecimal::add);
        System.out.printf("usage e2e: counter meter billed %s over its windows; the counter grew to %d%n",
                billed.toPlainString(), page.lastServed());
        assertThat(page.lastServed()).as("the page was scraped through the run").isGreaterThan(20 * CountingMetricsPage.STEP);
        assertThat(billed).isEqualByComparingTo(BigDecimal.valueOf(page.lastServed()));

        JsonNode spool = items(admin.get("/api/v1/usage/agents?tenantId=" + tenantId).expect(200)).get(0);
        assertThat(spool.path("droppedRecordsTotal").asLong()).isZero();
        assertThat(spool.path("unmeasuredWindowsTotal").asLong()).isZero();

        // Another tenant's token sees none of it, whichever way it asks.
        String otherTenant = admin.post("/api/v1/tenants", Map.of("name", "other-" + s.suffix())).expect(201)
                .path("id").asText();
        HubApi other = admin.as(admin.post("/api/v1/tenants/" + otherTenant + "/tokens", Map.of("name", "sre"))
                .expect(201).path("token").asText());
        String someDeployment = deployments.get(0);
        HubApi.Text csv = other.getText("/api/v1/usage?format=csv&deploymentId=" + someDeployment);
        assertThat(csv.status()).isIn(200, 404);
        assertThat(csv.body()).doesNotContain(someDeployment);
        assertThat(admin.getText("/api/v1/usage?format=csv&deploymentId=" + someDeployment).body())
                .as("the admin's export, for contrast").contains(someDeployment);
        for (String path : List.of("/api/v1/usage", "/api/v1/usage?deploymentId=" + someDeployment,
                "/api/v1/usage?tenantId=" + tenantId, "/api/v1/usage/records?deploymentId=" + someDeployment, "/api/v1/usage/records?tenantId=" + tenantId,
                "/api/v1/usage/agents", "/api/v1/usage/agents?tenantId=" + tenantId)) {
            HubApi.Response answer = other.get(path);
            assertThat(answer.status()).as(path).isIn(200, 404);
            if (answer.status() == 200) {
                assertThat(items(answer.body())).as(path).isEmpty();
            }
        }
    }

    private static void awaitHubHas(HubApi admin, List<String> deployments, List<Produced> produced) {
        Set<String> expected = keys(produced);
        await("the hub stores the %d records produced so far".formatted(expected.size())).atMost(PATIENCE)
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> storedKeys(admin, deployments).containsAll(expected));
    }

    private static Set<String> keys(List<Produced> produced) {
        return produced.stream().map(Produced::key).collect(Collectors.toSet());
    }

    private static Set<String> storedKeys(HubApi admin, List<String> deployments) {
        return deployments.stream().flatMap(d -> storedRecords(admin, d).stream())
                .map(r -> r.path("idempotencyKey").asText()).collect(Collectors.toSet());
    }

    /** Every raw record the hub stored for the deployment, page by page. */
    private static List<JsonNode> storedRecords(HubApi admin, String deploymentId) {
        List<JsonNode> records = new ArrayList<>();
        String cursor = null;
        do {
            String path = "/api/v1/usage/records?deploymentId=" + deploymentId + "&limit=1000"
                    + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
            JsonNode page = admin.get(path).expect(200);
            page.path("items").forEach(records::add);
            cursor = page.path("nextCursor").isTextual() ? page.path("nextCursor").asText() : null;
        } while (cursor != null);
        return records;
    }

    private static Map<String, BigDecimal> sumByMeter(List<JsonNode> rows) {
        Map<String, BigDecimal> sums = new TreeMap<>();
        rows.forEach(r -> sums.merge(r.path("meter").asText(), new BigDecimal(r.path("quantity").asText()), BigDecimal::add));
        sums.replaceAll((meter, sum) -> sum.stripTrailingZeros());
        return sums;
    }

    private static List<JsonNode> items(JsonNode body) {
        List<JsonNode> items = new ArrayList<>();
        body.path("items").forEach(items::add);
        return items;
    }
}
