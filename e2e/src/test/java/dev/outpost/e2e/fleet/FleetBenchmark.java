package dev.outpost.e2e.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.e2e.support.ProcStats;
import dev.outpost.e2e.support.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Benchmark, not a test (no *IT suffix, so the suite never runs it): a fleet of simulated agents
 * against, in turn, each target of {@code outpost.fleet.targets} (default {@code bare,hub}): the bare
 * grpc-java ceiling ({@link BareGateway}) and the hub (on {@code outpost.fleet.database}, h2 or
 * postgresql, with {@code outpost.fleet.replicas} replicas). For each it prints the enrolment and
 * connect rates, the server's CPU and resident memory in steady state (heartbeats only) per 1,000
 * agents, the rate at which the whole fleet connects again when every agent redials at once, the time
 * to deliver one command to every agent with p50/p99 from request to answer, and the
 * recovery after SIGKILL of every server process; at the end the hub as a fraction of the ceiling. The
 * agents run in this JVM, or in {@code outpost.fleet.simulator-processes} processes of {@code
 * outpost.fleet.simulator-heap} (2g) each beyond what one process's open files allow. Run with {@code
 * ./mvnw -B -o -pl e2e verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=FleetBenchmark -Doutpost.fleet.agents=1000}; further knobs: {@code
 * outpost.fleet.steady-seconds} (30), {@code outpost.fleet.heartbeat} (the hub's interval, 10s as its
 * default), {@code outpost.fleet.hub-heap} (1g), {@code outpost.fleet.apply-ms} (20), {@code
 * outpost.fleet.enrol-parallelism} (32), {@code outpost.fleet.redial-parallelism} (64).
 */
class FleetBenchmark {
    @TempDir
    Path work;

    /** What one target measured, for the comparison at the end. */
    private record Measured(double enrolPerSecond, double redialPerSecond, double steadyCpuPerThousand,
            double rssMibPerThousand, double allDeliveredSeconds, double deliveredP99Millis,
            double ninetyNineBackSeconds, double perAgentRequestsDeliveredSeconds) {
    }

    /** The most database connections in use, and threads waiting for one, seen since the last reset (250 ms samples). */
    private static final class ConnectionPeaks implements AutoCloseable {
        private final java.util.concurrent.ScheduledExecutorService sampler =
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread thread = new Thread(r, "fleet-db-connections");
                    thread.setDaemon(true);
                    return thread;
                });
        private final java.util.concurrent.atomic.AtomicInteger active = new java.util.concurrent.atomic.AtomicInteger();
        private final java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger();
        private final boolean measured;

        ConnectionPeaks(FleetTarget target) {
            measured = target.databaseConnections() != null;
            if (measured) {
                sampler.scheduleWithFixedDelay(() -> {
                    FleetTarget.DatabaseConnections now = target.databaseConnections();
                    active.accumulateAndGet(now.active(), Math::max);
                    waiting.accumulateAndGet(now.waiting(), Math::max);
                }, 0, 250, java.util.concurrent.TimeUnit.MILLISECONDS);
            }
        }

        /** "peak N in use, M threads waiting" since the last call, or that the server has no database. */
        String takePeaks() {
            return measured ? "database connections at the peak: " + active.getAndSet(0) + " in use, "
                    + waiting.getAndSet(0) + " threads waiting for one" : "no database";
        }

        @Override
        public void close() {
            sampler.shutdownNow();
        }
    }

    /** When the last of a round's commands reached its agent, and the p99 from request to agent. */
    private record Delivery(double allReceivedSeconds, double p99Millis) {
    }

    /** What asks for one command to every agent. */
    @FunctionalInterface
    private interface Ask {
        List<FleetVendor.Request> ask() throws Exception;
    }

    /** Asks, then waits until every agent received, answered, and the server recorded its command; prints it. */
    private static Delivery deliver(String label, SimulatedFleet fleet, FleetTarget target, List<Long> pids, int agents,
                                    int applyMillis, Duration patience, Ask ask) throws Exception {
        long cpuCommand = cpuTicks(pids);
        long receivedBefore = fleet.totals().commandsReceived();
        long answeredBefore = fleet.totals().resultsSent();
        long commandBegin = System.nanoTime();
        List<FleetVendor.Request> requests = ask.ask();
        double askedSeconds = seconds(commandBegin);
        await("every command received").atMost(patience).pollInterval(Duration.ofMillis(20))
                .until(() -> fleet.totals().commandsReceived() - receivedBefore >= agents);
        await("every command answered").atMost(patience).pollInterval(Duration.ofMillis(100))
                .until(() -> fleet.totals().resultsSent() - answeredBefore >= agents);
        target.awaitAllCarriedOut(agents, patience);
        double recordedSeconds = seconds(commandBegin);
        double commandCpu = cpuPercent(pids, cpuCommand, recordedSeconds);
        Map<String, long[]> timings = fleet.timings();
        long[] delivered = requests.stream().mapToLong(r -> timings.get(r.key())[0] - r.askedNanos()).sorted()
                .toArray();
        long[] answered = requests.stream().mapToLong(r -> timings.get(r.key())[1] - r.askedNanos()).sorted()
                .toArray();
        // From the agents' own times of arrival: a rollout's commands may all arrive before its response.
        double deliveredSeconds = (requests.stream().mapToLong(r -> timings.get(r.key())[0]).max().orElseThrow()
                - commandBegin) / 1e9;
        double answeredSeconds = (requests.stream().mapToLong(r -> timings.get(r.key())[1]).max().orElseThrow()
                - commandBegin) / 1e9;
        print("BENCH %s (simulated apply %d ms): all asked in %.1f s, all received after %.1f s, "
                + "all answered after %.1f s, all recorded by the server after %.1f s; server CPU %.0f%%",
                label, applyMillis, askedSeconds, deliveredSeconds, answeredSeconds, recordedSeconds, commandCpu);
        print("BENCH   request->command at agent p50=%.0f ms p99=%.0f ms max=%.0f ms; request->result sent "
                + "p50=%.0f ms p99=%.0f ms max=%.0f ms", millis(delivered, 0.5), millis(delivered, 0.99),
                millis(delivered, 1), millis(answered, 0.5), millis(answered, 0.99), millis(answered, 1));
        return new Delivery(deliveredSeconds, millis(delivered, 0.99));
    }

    @Test
    void fleet() throws Exception {
        int agents = Integer.getInteger("outpost.fleet.agents", 1000);
        String heap = System.getProperty("outpost.fleet.hub-heap", "1g");
        String heartbeat = System.getProperty("outpost.fleet.heartbeat", "10s");
        Map<String, Measured> measured = new LinkedHashMap<>();
        for (String target : System.getProperty("outpost.fleet.targets", "bare,hub").split(",")) {
            try (FleetTarget fleetTarget = open(target.trim(), heap, heartbeat)) {
                print("BENCH ==== %s: %d simulated agents (-Xmx%s, heartbeat %s), cpus=%d, load average %s",
                        fleetTarget.description(), agents, heap, heartbeat, Runtime.getRuntime().availableProcessors(),
                        loadAverage());
                measured.put(target.trim(), measure(fleetTarget, agents));
            }
        }
        Measured bare = measured.get("bare");
        Measured hub = measured.get("hub");
        if (bare != null && hub != null) {
            print("BENCH ==== the hub as a fraction of the bare ceiling (1.0 = as good): enrol rate %.2f, reconnect "
                    + "rate %.2f, steady CPU "
                    + "per 1,000 %.2f (bare/hub), RSS per 1,000 %.2f (bare/hub), all delivered from one request %.2f "
                    + "(bare/hub time; from one request per agent %.2f), "
                    + "delivery p99 %.2f (bare/hub), 99%% back after kill -9 %.2f (bare/hub time)",
                    hub.enrolPerSecond() / bare.enrolPerSecond(), hub.redialPerSecond() / bare.redialPerSecond(),
                    bare.steadyCpuPerThousand() / hub.steadyCpuPerThousand(),
                    bare.rssMibPerThousand() / hub.rssMibPerThousand(), bare.allDeliveredSeconds() / hub.allDeliveredSeconds(),
                    bare.allDeliveredSeconds() / hub.perAgentRequestsDeliveredSeconds(),
                    bare.deliveredP99Millis() / hub.deliveredP99Millis(),
                    bare.ninetyNineBackSeconds() / hub.ninetyNineBackSeconds());
        }
    }

    private FleetTarget open(String target, String heap, String heartbeat) {
        return switch (target) {
            case "bare" -> new BareTarget(work, heap, (int) Duration.parse("PT" + heartbeat).toSeconds());
            case "hub" -> new HubTarget(work, "postgresql".equals(System.getProperty("outpost.fleet.database", "h2"))
                    ? TestDatabase.freshPostgres() : TestDatabase.embeddedH2(),
                    Integer.getInteger("outpost.fleet.replicas", 1), heap, heartbeat);
            default -> throw new IllegalArgumentException("outpost.fleet.targets: unknown target " + target
                    + " (bare or hub)");
        };
    }

    private Measured measure(FleetTarget target, int agents) throws Exception {
        int steadySeconds = Integer.getInteger("outpost.fleet.steady-seconds", 30);
        int applyMillis = Integer.getInteger("outpost.fleet.apply-ms", 20);
        int enrolParallelism = Integer.getInteger("outpost.fleet.enrol-parallelism", 32);
        Duration patience = Duration.ofSeconds(120 + agents / 10);
        double thousands = agents / 1000.0;
        int processes = Integer.getInteger("outpost.fleet.simulator-processes", 1);
        SimulatedCluster.Behaviour behaviour = new SimulatedCluster.Behaviour(Duration.ofMillis(applyMillis), 0);
        try (SimulatedFleet fleet = processes <= 1
                ? new FleetSimulator(target.gateways(), behaviour, enrolParallelism, 2, SimulatedAgent.AGENT_BACKOFF_CAP)
                : new FleetWorkers(work, processes, target.gateways(), applyMillis, enrolParallelism,
                        System.getProperty("outpost.fleet.simulator-heap", "2g"), SimulatedAgent.AGENT_BACKOFF_CAP)) {
            // Enrolment (for the hub: REST environment + join token, then Enroll) and the first connect.
            List<Long> pids = target.pids();
            long cpuBefore = cpuTicks(pids);
            long begin = System.nanoTime();
            List<String> agentIds = fleet.enrol(agents, target::invite);
            double enrolSeconds = seconds(begin);
            await("all connected").atMost(patience).pollInterval(Duration.ofMillis(100))
                    .until(() -> fleet.totals().connected() == agents);
            double connectSeconds = seconds(begin);
            double enrolCpu = cpuPercent(pids, cpuBefore, connectSeconds);
            await("all online at the server").atMost(patience).pollInterval(Duration.ofMillis(500))
                    .until(() -> target.onlineSince(Instant.EPOCH) == agents);
            FleetCounters.Totals enrolled = fleet.totals();
            print("BENCH enrol: %d agents in %.1f s = %.0f/s (%d in parallel, %d simulator process(es)); all welcomed "
                    + "after %.1f s; server CPU %.0f%% meanwhile; mean per agent: invitation %.0f ms, Enroll %.0f ms",
                    agents, enrolSeconds, agents / enrolSeconds, enrolParallelism, processes, connectSeconds, enrolCpu,
                    enrolled.inviteNanos() / 1e6 / agents, enrolled.enrollNanos() / 1e6 / agents);

            // Steady state: heartbeats only; the fleet must stay connected throughout.
            List<Long> simulators = fleet.pids();
            long beatsBefore = enrolled.heartbeats();
            long cpuSteady = cpuTicks(pids);
            long simulatorCpuSteady = cpuTicks(simulators);
            long steadyBegin = System.nanoTime();
            await("steady state").during(Duration.ofSeconds(steadySeconds)).atMost(Duration.ofSeconds(steadySeconds + 10))
                    .pollInterval(Duration.ofSeconds(1)).until(() -> fleet.totals().connected() == agents);
            double steadyElapsed = seconds(steadyBegin);
            double steadyCpu = cpuPercent(pids, cpuSteady, steadyElapsed);
            long rssKib = rssKib(pids);
            print("BENCH steady %.0f s: %.0f heartbeats/s; server CPU %.1f%% of one core (%.1f%% per 1,000 agents), "
                    + "RSS %d MiB over %d process(es) (%.0f MiB per 1,000 agents); the simulator's JVM(s) %.1f%% CPU, "
                    + "RSS %d MiB", steadyElapsed, (fleet.totals().heartbeats() - beatsBefore) / steadyElapsed, steadyCpu,
                    steadyCpu / thousands, rssKib / 1024, pids.size(), rssKib / 1024.0 / thousands,
                    cpuPercent(simulators, simulatorCpuSteady, steadyElapsed), rssKib(simulators) / 1024);

            // The connection ceiling: every agent drops its connection and dials again at once (TCP, a full
            // TLS handshake, Hello, Welcome), a bounded number dialling at a time, as after a network blip.
            int redialParallelism = Integer.getInteger("outpost.fleet.redial-parallelism", 64);
            long cpuRedial = cpuTicks(pids);
            long redialBegin = System.nanoTime();
            fleet.redialAll(redialParallelism, patience);
            double redialSeconds = seconds(redialBegin);
            double redialCpu = cpuPercent(pids, cpuRedial, redialSeconds);
            await("all online at the server after redialling").atMost(patience).pollInterval(Duration.ofMillis(500))
                    .until(() -> target.onlineSince(Instant.EPOCH) == agents);
            print("BENCH reconnect storm: %d agents redialled, %d at a time: all welcomed again after %.1f s = %.0f/s; "
                    + "server CPU %.0f%%; all online at the server after %.1f s", agents, redialParallelism,
                    redialSeconds, agents / redialSeconds, redialCpu, seconds(redialBegin));

            // One command to every agent: one request per agent, then (the hub's rollout) one request for all.
            ConnectionPeaks connections = new ConnectionPeaks(target);
            Delivery perAgent = deliver("one command per agent", fleet, target, pids, agents, applyMillis, patience,
                    () -> target.commandEveryAgent(agentIds));
            print("BENCH   %s", connections.takePeaks());
            Delivery oneRequest = deliver("one request for every agent", fleet, target, pids, agents, applyMillis,
                    patience, () -> target.commandEveryAgentInOneRequest(agentIds));
            print("BENCH   %s", connections.takePeaks());

            // Recovery after SIGKILL of every server process.
            long endsBefore = fleet.totals().streamEnds();
            Instant crash = Instant.now();
            long crashNanos = System.nanoTime();
            target.kill9();
            await("every stream ended").atMost(patience).pollInterval(Duration.ofMillis(50))
                    .until(() -> fleet.totals().connected() == 0);
            target.restart();
            pids = target.pids();
            double healthySeconds = seconds(crashNanos);
            long cpuRecovery = cpuTicks(pids);
            int ninetyNine = (int) Math.ceil(agents * 0.99);
            await("99% reconnected").atMost(patience).pollInterval(Duration.ofMillis(100))
                    .until(() -> fleet.totals().connected() >= ninetyNine);
            double ninetyNineSeconds = seconds(crashNanos);
            await("all reconnected").atMost(patience).pollInterval(Duration.ofMillis(100))
                    .until(() -> fleet.totals().connected() == agents);
            double allSeconds = seconds(crashNanos);
            long peakRssKib = rssKib(pids);
            await("all online again at the server").atMost(patience).pollInterval(Duration.ofMillis(500))
                    .until(() -> target.onlineSince(crash) == agents);
            double onlineSeconds = seconds(crashNanos);
            print("BENCH kill -9: healthy again %.1f s after the kill (start %.1f s); 99%% of agents welcomed after "
                    + "%.1f s, all after %.1f s, all online at the server after %.1f s; %d failed attempts before; "
                    + "server CPU %.0f%% from healthy to all welcomed, RSS then %d MiB", healthySeconds,
                    target.lastStartTime().toMillis() / 1000.0, ninetyNineSeconds, allSeconds, onlineSeconds,
                    fleet.totals().streamEnds() - endsBefore - agents, cpuPercent(pids, cpuRecovery, allSeconds - healthySeconds),
                    peakRssKib / 1024);
            print("BENCH   from the kill to all online again: %s", connections.takePeaks());
            connections.close();
            FleetCounters.Totals totals = fleet.totals();
            print("BENCH stream ends by kind: %s", fleet.streamEndsByCode());
            print("BENCH totals: welcomes %d, stream ends %d, commands received %d (%d again after a reconnect), "
                    + "results %d (%d failed), enrolments refused as busy %d", totals.welcomes(), totals.streamEnds(),
                    totals.commandsReceived(), totals.commandsRepeated(), totals.resultsSent(), totals.resultsFailed(),
                    totals.enrolmentsRefusedBusy());
            assertThat(totals.resultsFailed()).isZero();
            return new Measured(agents / enrolSeconds, agents / redialSeconds, steadyCpu / thousands,
                    rssKib / 1024.0 / thousands,
                    oneRequest.allReceivedSeconds(), oneRequest.p99Millis(), ninetyNineSeconds,
                    perAgent.allReceivedSeconds());
        }
    }

    private static long cpuTicks(List<Long> pids) throws IOException {
        long ticks = 0;
        for (long pid : pids) {
            ticks += ProcStats.cpuTicks(pid);
        }
        return ticks;
    }

    private static long rssKib(List<Long> pids) throws IOException {
        long kib = 0;
        for (long pid : pids) {
            kib += ProcStats.rssKib(pid);
        }
        return kib;
    }

    private static double cpuPercent(List<Long> pids, long ticksBefore, double elapsedSeconds) throws IOException {
        return (cpuTicks(pids) - ticksBefore) / ProcStats.TICKS_PER_SECOND / elapsedSeconds * 100;
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
