package dev.outpost.e2e.telemetry;

import static org.awaitility.Awaitility.await;

import dev.outpost.e2e.support.Cleanup;
import dev.outpost.e2e.support.HubApi;
import dev.outpost.e2e.support.HubWithAgent;
import dev.outpost.e2e.support.ProcStats;
import dev.outpost.e2e.support.TestDatabase;
import dev.outpost.testcluster.KubeCluster;
import dev.outpost.testcluster.KubeClusterExtension;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.postgresql.PGConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Benchmark, not a test (no *IT/*Test suffix, so the suite never runs it): an agent following 10 pods
 * that together write {@code outpost.bench.lines-per-second} (default 1000) lines of ~140 bytes for
 * {@code outpost.bench.duration} (default PT2M), into a hub on PostgreSQL. Prints the agent's and the
 * hub's CPU (share of one core) and resident memory, the lines stored per second, the lines dropped,
 * how long after the writers stop the hub has every line, and the baseline: COPY of the same lines
 * into a plain table of the same database. Offered more than it carries (say 20000 lines/s), the
 * stored rate is the end-to-end capacity. The command is in docs/benchmarks.md.
 */
@ExtendWith(KubeClusterExtension.class)
class AgentLogThroughputBenchmark {
    private static final int DEPLOYMENTS = 2;
    private static final int REPLICAS = 5;
    private static final long TICK_MILLIS = 100;

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
    void agentFollowingBusyPods(KubeCluster cluster) throws Exception {
        int linesPerSecond = Integer.getInteger("outpost.bench.lines-per-second", 1000);
        Duration duration = Duration.parse(System.getProperty("outpost.bench.duration", "PT2M"));
        TestDatabase database = TestDatabase.freshPostgres();
        HubWithAgent s = HubWithAgent.start(cluster, database, work, cleanup, List.of());
        HubApi admin = s.admin();
        List<String> deployments = ChattyWorkloads.deploy(s, DEPLOYMENTS, REPLICAS);
        int pods = DEPLOYMENTS * REPLICAS;
        int linesPerTick = Math.max(1, (int) (linesPerSecond * TICK_MILLIS / 1000 / pods));
        for (PodLogWriter writer : ChattyWorkloads.writers(cluster, work, deployments, REPLICAS)) {
            writers.add(writer.start(linesPerTick, TICK_MILLIS));
        }
        await("every pod's lines reach the hub").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                .until(() -> ChattyWorkloads.Totals.of(admin, deployments).stored() >= pods);

        long agentPid = s.agent().pid();
        long hubPid = s.hub().process().pid();
        long startedNanos = System.nanoTime();
        long agentTicks = ProcStats.cpuTicks(agentPid);
        long hubTicks = ProcStats.cpuTicks(hubPid);
        long storedAtStart = ChattyWorkloads.Totals.of(admin, deployments).stored();
        long agentRssMax = 0;
        long end = startedNanos + duration.toNanos();
        while (System.nanoTime() < end) {
            // Measuring over time is the point here, not waiting for a condition.
            Thread.sleep(Math.min(10_000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
            agentRssMax = Math.max(agentRssMax, ProcStats.rssKib(agentPid));
        }
        double seconds = (System.nanoTime() - startedNanos) / 1e9;
        double agentCpu = (ProcStats.cpuTicks(agentPid) - agentTicks) / ProcStats.TICKS_PER_SECOND / seconds;
        double hubCpu = (ProcStats.cpuTicks(hubPid) - hubTicks) / ProcStats.TICKS_PER_SECOND / seconds;
        ChattyWorkloads.Totals during = ChattyWorkloads.Totals.of(admin, deployments);
        long agentRss = ProcStats.rssKib(agentPid);
        long hubRss = ProcStats.rssKib(hubPid);

        for (PodLogWriter writer : writers) {
            writer.close();
        }
        long produced = writers.stream().mapToLong(w -> w.written().size()).sum();
        long stoppedNanos = System.nanoTime();
        await("every line written is stored or counted as dropped").atMost(Duration.ofMinutes(5))
                .pollInterval(Duration.ofMillis(200)).until(() -> {
                    ChattyWorkloads.Totals t = ChattyWorkloads.Totals.of(admin, deployments);
                    return t.stored() + t.dropped() == produced;
                });
        double drainSeconds = (System.nanoTime() - stoppedNanos) / 1e9;
        ChattyWorkloads.Totals last = ChattyWorkloads.Totals.of(admin, deployments);
        double copyRate = copyBaseline(database);
        System.out.printf("BENCH agent logs: %d pods writing %d lines/s for %.0f s: stored %.0f lines/s; agent CPU %.1f%% "
                        + "of a core, RSS %d KiB (max %d KiB); hub CPU %.1f%%, RSS %d KiB; %d lines written, %d stored, "
                        + "%d dropped; all accounted %.1f s after the writers stopped; baseline: COPY of the same lines "
                        + "into a plain table of the hub's database %.0f lines/s%n",
                pods, linesPerTick * pods * 1000 / TICK_MILLIS, seconds, (during.stored() - storedAtStart) / seconds,
                agentCpu * 100, agentRss, Math.max(agentRssMax, agentRss), hubCpu * 100, hubRss, produced,
                last.stored(), last.dropped(), drainSeconds, copyRate);
    }

    /** Lines per second that COPY takes the lines written into a plain table: the plain way to store them. */
    private double copyBaseline(TestDatabase database) throws SQLException, IOException {
        Map<String, String> env = database.hubEnvironment();
        StringBuilder csv = new StringBuilder();
        long lines = 0;
        for (PodLogWriter writer : writers) {
            for (String text : writer.written()) {
                csv.append(writer.pod()).append(",\"").append(text.replace("\"", "\"\"")).append("\"\n");
                lines++;
            }
        }
        try (Connection c = DriverManager.getConnection(env.get("OUTPOST_DB_URL"), env.get("OUTPOST_DB_USER"),
                env.get("OUTPOST_DB_PASSWORD")); Statement statement = c.createStatement()) {
            statement.execute("create table bench_copy_baseline (pod varchar(253), text varchar(16384))");
            long started = System.nanoTime();
            long copied = c.unwrap(PGConnection.class).getCopyAPI()
                    .copyIn("copy bench_copy_baseline from stdin with (format csv)", new StringReader(csv.toString()));
            double seconds = (System.nanoTime() - started) / 1e9;
            if (copied != lines) {
                throw new IllegalStateException("COPY took " + copied + " lines, expected " + lines);
            }
            return lines / seconds;
        }
    }
}
