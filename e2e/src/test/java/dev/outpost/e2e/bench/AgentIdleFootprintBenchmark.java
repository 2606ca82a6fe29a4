package dev.outpost.e2e.bench;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.e2e.support.AgentProcess;
import dev.outpost.e2e.support.AgentSandbox;
import dev.outpost.e2e.support.ChildProcess;
import dev.outpost.e2e.support.HubApi;
import dev.outpost.e2e.support.HubProcess;
import dev.outpost.e2e.support.ProcStats;
import dev.outpost.e2e.support.TestDatabase;
import dev.outpost.testcluster.KubeCluster;
import dev.outpost.testcluster.KubeClusterExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Benchmark, not a test (no *IT/*Test suffix, so the suite never runs it): resident memory of an
 * enrolled, connected agent left idle, sampled every 30 s. Run it with
 * {@code ./dev build && ./mvnw -B -pl e2e verify -Dit.test=AgentIdleFootprintBenchmark -Doutpost.bench.idle=PT5M},
 * optionally with {@code -Doutpost.e2e.agent-jvm-options="-XX:+UseSerialGC -Xmx96m"} to compare JVM settings.
 */
@ExtendWith(KubeClusterExtension.class)
class AgentIdleFootprintBenchmark {

    @TempDir
    Path work;

    @Test
    void agentResidentMemoryWhileIdle(KubeCluster cluster) throws Exception {
        Duration idle = Duration.parse(System.getProperty("outpost.bench.idle", "PT5M"));
        try (HubProcess hub = new HubProcess(work.resolve("hub-data"), TestDatabase.embeddedH2(), "opa_bench-" + UUID.randomUUID()).start()) {
            HubApi admin = new HubApi(hub.baseUrl(), hub.adminToken());
            String tenantId = admin.post("/api/v1/tenants", Map.of("name", "bench")).expect(201).path("id").asText();
            String environmentId = admin.post("/api/v1/environments", Map.of("tenantId", tenantId, "name", "bench",
                    "cloud", "other", "region", "local", "clusterName", "bench")).expect(201).path("id").asText();
            JsonNode token = admin.post("/api/v1/environments/" + environmentId + "/join-tokens", Map.of()).expect(201);
            String namespace = cluster.newNamespace("bench");
            Path kubeconfig = AgentSandbox.prepare(cluster, namespace, work.resolve("customer"));
            ChildProcess agent = AgentProcess.start("agent", hub, token.path("token").asText(),
                    token.path("caFingerprint").asText(), work.resolve("agent-state"), kubeconfig, namespace);
            try (agent) {
                await().atMost(Duration.ofSeconds(120)).until(() -> admin.get("/api/v1/agents?environmentId=" + environmentId)
                        .body().toString().contains("\"online\""));
                System.out.printf("BENCH agent connected: rss=%d KiB hub rss=%d KiB%n", ProcStats.rssKib(agent.pid()), ProcStats.rssKib(hub.process().pid()));
                long end = System.nanoTime() + idle.toNanos();
                while (System.nanoTime() < end) {
                    // Measuring over time is the point here, not waiting for a condition.
                    Thread.sleep(Math.min(30_000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
                    System.out.printf("BENCH idle: rss=%d KiB%n", ProcStats.rssKib(agent.pid()));
                }
                System.out.printf("BENCH after %s idle: agent rss=%d KiB, hub rss=%d KiB%n", idle,
                        ProcStats.rssKib(agent.pid()), ProcStats.rssKib(hub.process().pid()));
            }
        }
    }
}
