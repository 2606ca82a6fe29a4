package dev.outpost.e2e.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.e2e.support.Cleanup;
import dev.outpost.e2e.support.HubApi;
import dev.outpost.e2e.support.HubProcess;
import dev.outpost.e2e.support.ProcStats;
import dev.outpost.e2e.support.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Benchmark, not a test (no *IT suffix, so the suite never runs it): one hub process on H2 and a fleet
 * of simulated agents in this JVM. Prints the enrolment and connect rates, the hub's CPU and resident
 * memory in steady state (heartbeats only) per 1,000 agents, the time to deliver one command to every
 * agent with p50/p99 from request to answer, and the recovery after SIGKILL of the hub. Run with
 * {@code ./mvnw -B -o -pl e2e verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=FleetBenchmark -Doutpost.fleet.agents=1000}; further knobs: {@code outpost.fleet.steady-seconds}
 * (30), {@code outpost.fleet.heartbeat} (the hub's interval, 10s as its default), {@code
 * outpost.fleet.hub-heap} (1g), {@code outpost.fleet.apply-ms} (20), {@code outpost.fleet.enrol-parallelism} (32).
 */
class FleetBenchmark {
    @TempDir
    Path work;

    private final Cleanup cleanup = new Cleanup();

    @AfterEach
    void stopEverything() throws Exception {
        cleanup.close();
    }

    @Test
    void fleet() throws Exception {
        int agents = Integer.getInteger("outpost.fleet.agents", 1000);
        int steadySeconds = Integer.getInteger("outpost.fleet.steady-seconds", 30);
        String heartbeat = System.getProperty("outpost.fleet.heartbeat", "10s");
        String heap = System.getProperty("outpost.fleet.hub-heap", "1g");
        int applyMillis = Integer.getInteger("outpost.fleet.apply-ms", 20);
        int enrolParallelism = Integer.getInteger("outpost.fleet.enrol-parallelism", 32);
        Duration patience = Duration.ofSeconds(120 + agents / 10);
        double thousands = agents / 1000.0;

        HubProcess hub = cleanup.track(new HubProcess(work.resolve("hub-data"), TestDatabase.embeddedH2(),
                "opa_fleet-" + UUID.randomUUID()).withJvmOptions("-Xmx" + heap)
                .withEnvironment(Map.of("OUTPOST_HEARTBEAT_INTERVAL", heartbeat, "OUTPOST_OFFLINE_AFTER", "30s")))
                .start();
        HubApi admin = new HubApi(hub.baseUrl(), hub.adminToken());
        FleetVendor vendor = new FleetVendor(admin, "fleet-bench");
        FleetSimulator fleet = cleanup.track(new FleetSimulator(hub.gatewayAddress(),
                new SimulatedCluster.Behaviour(Duration.ofMillis(applyMillis), 0), enrolParallelism, 2));
        FleetCounters counters = fleet.counters();
        print("BENCH fleet of %d simulated agents, hub on H2 (-Xmx%s, heartbeat %s), cpus=%d, load average %s",
                agents, heap, heartbeat, Runtime.getRuntime().availableProcessors(), loadAverage());

        // Enrolment (REST: environment + join token, then Enroll) and the first connect.
        long hubPid = hub.process().pid();
        long cpuBefore = ProcStats.cpuTicks(hubPid);
        long begin = System.nanoTime();
        fleet.enrolAndConnect(agents, vendor::invite);
        double enrolSeconds = seconds(begin);
        await("all connected").atMost(patience).pollInterval(Duration.ofMillis(100))
                .until(() -> counters.connected() == agents);
        double connectSeconds = seconds(begin);
        double enrolCpu = cpuPercent(hubPid, cpuBefore, connectSeconds);
        await("all online at the hub").atMost(patience).pollInterval(Duration.ofMillis(500))
                .until(() -> vendor.agentsOnline() == agents);
        long simulatorPid = ProcessHandle.current().pid();
        print("BENCH enrol: %d agents in %.1f s = %.0f/s (REST environment + join token + Enroll, %d in parallel); "
                + "all welcomed after %.1f s; hub CPU %.0f%% meanwhile; mean per agent: REST %.0f ms, Enroll %.0f ms",
                agents, enrolSeconds, agents / enrolSeconds, enrolParallelism, connectSeconds, enrolCpu,
                counters.inviteTime().toMillis() / (double) agents, counters.enrollTime().toMillis() / (double) agents);

        // Steady state: heartbeats only; the fleet must stay connected throughout.
        long beatsBefore = counters.heartbeats();
        long cpuSteady = ProcStats.cpuTicks(hubPid);
        long simulatorCpuSteady = ProcStats.cpuTicks(simulatorPid);
        long steadyBegin = System.nanoTime();
        await("steady state").during(Duration.ofSeconds(steadySeconds)).atMost(Duration.ofSeconds(steadySeconds + 10))
                .pollInterval(Duration.ofSeconds(1)).until(() -> counters.connected() == agents);
        double steadyElapsed = seconds(steadyBegin);
        double steadyCpu = cpuPercent(hubPid, cpuSteady, steadyElapsed);
        long rssKib = ProcStats.rssKib(hubPid);
        double beatsPerSecond = (counters.heartbeats() - beatsBefore) / steadyElapsed;
        print("BENCH steady %.0f s: %.0f heartbeats/s; hub CPU %.1f%% of one core (%.1f%% per 1,000 agents), "
                + "RSS %d MiB (%.0f MiB per 1,000 agents, heap cap %s); the simulator's JVM %.1f%% CPU, RSS %d MiB",
                steadyElapsed, beatsPerSecond, steadyCpu, steadyCpu / thousands, rssKib / 1024,
                rssKib / 1024.0 / thousands, heap, cpuPercent(simulatorPid, simulatorCpuSteady, steadyElapsed),
                ProcStats.rssKib(simulatorPid) / 1024);

        // One command to every agent.
        String release = vendor.release("1.0.0", "hello");
        long cpuCommand = ProcStats.cpuTicks(hubPid);
        long commandBegin = System.nanoTime();
        List<FleetVendor.Request> requests = vendor.deployEverywhere(release, 16);
        double askedSeconds = seconds(commandBegin);
        await("every command answered").atMost(patience).pollInterval(Duration.ofMillis(100))
                .until(() -> requests.stream().allMatch(r -> counters.firstAnswered(r.key()) != null));
        double answeredSeconds = seconds(commandBegin);
        await("every operation succeeded").atMost(patience).pollInterval(Duration.ofMillis(500))
                .until(() -> vendor.operationsByStatus().equals(Map.of("succeeded", agents)));
        double succeededSeconds = seconds(commandBegin);
        double commandCpu = cpuPercent(hubPid, cpuCommand, succeededSeconds);
        long[] delivered = requests.stream().mapToLong(r -> counters.firstReceived(r.key()) - r.askedNanos()).sorted()
                .toArray();
        long[] answered = requests.stream().mapToLong(r -> counters.firstAnswered(r.key()) - r.askedNanos()).sorted()
                .toArray();
        print("BENCH one deployment per agent (POST /deployments, 16 in parallel, simulated apply %d ms): all asked "
                + "in %.1f s, all answered after %.1f s, all operations succeeded after %.1f s; hub CPU %.0f%%",
                applyMillis, askedSeconds, answeredSeconds, succeededSeconds, commandCpu);
        print("BENCH   request->command at agent p50=%.0f ms p99=%.0f ms max=%.0f ms; request->result sent "
                + "p50=%.0f ms p99=%.0f ms max=%.0f ms", millis(delivered, 0.5), millis(delivered, 0.99),
                millis(delivered, 1), millis(answered, 0.5), millis(answered, 0.99), millis(answered, 1));

        // Recovery after SIGKILL of the hub.
        long endsBefore = counters.streamEnds();
        Instant crash = Instant.now();
        long crashNanos = System.nanoTime();
        hub.kill9();
        await("every stream ended").atMost(patience).pollInterval(Duration.ofMillis(50))
                .until(() -> counters.connected() == 0);
        hub.start();
        hubPid = hub.process().pid();
        double healthySeconds = seconds(crashNanos);
        long cpuRecovery = ProcStats.cpuTicks(hubPid);
        int ninetyNine = (int) Math.ceil(agents * 0.99);
        await("99% reconnected").atMost(patience).pollInterval(Duration.ofMillis(100))
                .until(() -> counters.connected() >= ninetyNine);
        double ninetyNineSeconds = seconds(crashNanos);
        await("all reconnected").atMost(patience).pollInterval(Duration.ofMillis(100))
                .until(() -> counters.connected() == agents);
        double allSeconds = seconds(crashNanos);
        long failedAttempts = counters.streamEnds() - endsBefore - agents;
        await("all online again at the hub").atMost(patience).pollInterval(Duration.ofMillis(500))
                .until(() -> vendor.agentsOnlineSince(crash) == agents);
        double onlineSeconds = seconds(crashNanos);
        print("BENCH kill -9: hub healthy again %.1f s after the kill (start %.1f s); 99%% of agents welcomed after "
                + "%.1f s, all after %.1f s, all online at the REST API after %.1f s; %d failed attempts before; "
                + "hub CPU %.0f%% from healthy to all welcomed", healthySeconds, hub.lastStartTime().toMillis() / 1000.0,
                ninetyNineSeconds, allSeconds, onlineSeconds,
                failedAttempts,
                cpuPercent(hubPid, cpuRecovery, allSeconds - healthySeconds));
        print("BENCH stream ends by kind: %s", counters.streamEndsByCode());
        print("BENCH totals: welcomes %d, stream ends %d, commands received %d (%d again after a reconnect), "
                + "results %d (%d failed), enrolments refused as busy %d", counters.welcomes(), counters.streamEnds(),
                counters.commandsReceived(), counters.commandsRepeated(), counters.resultsSent(), counters.resultsFailed(),
                counters.enrolmentsRefusedBusy());
        assertThat(counters.resultsFailed()).isZero();
    }

    private static double cpuPercent(long pid, long ticksBefore, double elapsedSeconds) throws IOException {
        return (ProcStats.cpuTicks(pid) - ticksBefore) / ProcStats.TICKS_PER_SECOND / elapsedSeconds * 100;
    }

    private static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }

    private static double millis(long[] sortedNanos, double quantile) {
        int index = (int) Math.min(sortedNanos.length - 1, Math.ceil(quantile * sortedNanos.length) - 1);
        return sortedNanos[Math.max(0, index)] / 1e6;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static void print(String format, Object... arguments) {
        System.out.printf(format + "%n", arguments);
    }
}
