package dev.outpost.e2e.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.e2e.support.Cleanup;
import dev.outpost.e2e.support.HubApi;
import dev.outpost.e2e.support.HubProcess;
import dev.outpost.e2e.support.TestDatabase;
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
 * A small fleet against a real hub process on H2: 200 simulated agents (one environment each) enrol
 * and connect, a deployment reaches every one, all drop their connections and dial again at once and
 * are online again, the hub is killed with SIGKILL and started again on
 * the same data and ports, every agent reconnects on its own, and one rollout upgrades every one. And
 * the benchmark's bare ceiling, with agents in two simulator processes, across a crash of its own.
 */
class FleetSmokeIT {
    private static final int AGENTS = 200;
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    /** Lower than the agent's 60 s, so that the fleet is back within seconds of the restarted hub. */
    private static final Duration BACKOFF_CAP = Duration.ofSeconds(8);

    @TempDir
    Path work;

    private final Cleanup cleanup = new Cleanup();

    @AfterEach
    void stopEverything() throws Exception {
        cleanup.close();
    }

    @Test
    void aFleetEnrolsTakesCommandsRedialsAndComesBackAfterAHubCrash() throws Exception {
        TestDatabase database = cleanup.track(TestDatabase.embeddedH2());
        // A fleet enrols from one address faster than the per-address enrolment rate allows, as in HubTarget.
        HubProcess hub = cleanup.track(new HubProcess(work.resolve("hub-data"), database, "opa_fleet-" + UUID.randomUUID())
                .withEnvironment(Map.of("OUTPOST_RATE_LIMITS_ENABLED", "false"))).start();
        HubApi admin = new HubApi(hub.baseUrl(), hub.adminToken());
        FleetVendor vendor = new FleetVendor(admin, "fleet-smoke");
        FleetSimulator fleet = cleanup.track(new FleetSimulator(hub.gatewayAddress(),
                new SimulatedCluster.Behaviour(Duration.ofMillis(20), 0), 32, 2, BACKOFF_CAP));
        FleetCounters counters = fleet.counters();

        long begin = System.nanoTime();
        fleet.enrolAndConnect(AGENTS, vendor::invite);
        assertThat(counters.enrolled()).isEqualTo(AGENTS);
        await("all agents welcomed and online").atMost(PATIENCE).pollInterval(Duration.ofMillis(250))
                .until(() -> counters.connected() == AGENTS && vendor.agentsOnline() == AGENTS);
        log("%d agents enrolled and online after %d ms", AGENTS, millisSince(begin));

        // One command to every agent: a deployment per environment.
        List<FleetVendor.Request> created = vendor.deployEverywhere(vendor.release("1.0.0", "hello"), 16);
        awaitAllSucceeded(vendor, AGENTS);
        assertAnswered(counters, created);
        log("a deployment per agent succeeded after %d ms", millisSince(begin));

        // Every agent drops its connection and dials again at once: all are welcomed and online again.
        long welcomesBefore = counters.welcomes();
        fleet.redialAll(32, PATIENCE);
        assertThat(counters.welcomes() - welcomesBefore).isGreaterThanOrEqualTo(AGENTS);
        await("all agents online after redialling").atMost(PATIENCE).pollInterval(Duration.ofMillis(250))
                .until(() -> counters.connected() == AGENTS && vendor.agentsOnline() == AGENTS);
        log("all agents redialled and online again after %d ms", millisSince(begin));

        // Crash the hub; every agent notices, backs off and comes back to the restarted hub by itself.
        Instant crash = Instant.now();
        hub.kill9();
        await("every stream ended").atMost(PATIENCE).pollInterval(Duration.ofMillis(100))
                .until(() -> counters.connected() == 0);
        hub.start();
        log("hub killed and restarted (start took %d ms) at %d ms", hub.lastStartTime().toMillis(), millisSince(begin));
        await("all agents reconnected and online again").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(() -> counters.connected() == AGENTS && vendor.agentsOnlineSince(crash) == AGENTS);
        assertThat(counters.welcomes()).isGreaterThanOrEqualTo(3L * AGENTS);
        log("all agents online again after %d ms", millisSince(begin));

        // A second command reaches every agent over its new stream: one rollout upgrades them all.
        List<FleetVendor.Request> upgraded = vendor.rolloutEverywhere(vendor.release("1.0.1", "hello again"));
        awaitAllSucceeded(vendor, 2 * AGENTS);
        assertAnswered(counters, upgraded);
        assertThat(counters.resultsFailed()).isZero();
        assertThat(vendor.lastRollout().path("status").asText()).isEqualTo("succeeded");
        assertThat(vendor.lastRollout().path("operations").path("succeeded").asInt()).isEqualTo(AGENTS);
        log("a rollout to every agent succeeded after %d ms", millisSince(begin));
    }

    /**
     * The benchmark's other half keeps working too: the bare grpc-java ceiling, driven by a fleet spread
     * over two simulator processes (as the benchmark does beyond one process's open files).
     */
    @Test
    void twoSimulatorProcessesDriveTheBareCeilingAcrossARedialAndItsCrash() throws Exception {
        int agents = 60;
        BareTarget bare = cleanup.track(new BareTarget(work, "256m", 2));
        FleetWorkers fleet = cleanup.track(new FleetWorkers(work, 2, bare.gateways(), 20, 8, "256m", BACKOFF_CAP));

        List<String> agentIds = fleet.enrol(agents, bare::invite);
        assertThat(agentIds).hasSize(agents).doesNotContainNull().doesNotHaveDuplicates();
        await("all connected").atMost(PATIENCE).pollInterval(Duration.ofMillis(200))
                .until(() -> fleet.totals().connected() == agents && bare.onlineSince(Instant.EPOCH) == agents);

        List<FleetVendor.Request> commands = bare.commandEveryAgent(agentIds);
        bare.awaitAllCarriedOut(agents, PATIENCE);
        assertThat(fleet.timings()).as("timings by command key").containsKeys(
                commands.stream().map(FleetVendor.Request::key).toArray(String[]::new));

        fleet.redialAll(16, PATIENCE);
        assertThat(fleet.totals().welcomes()).isGreaterThanOrEqualTo(2L * agents);
        await("all connected after redialling").atMost(PATIENCE).pollInterval(Duration.ofMillis(200))
                .until(() -> fleet.totals().connected() == agents);

        bare.kill9();
        await("every stream ended").atMost(PATIENCE).pollInterval(Duration.ofMillis(100))
                .until(() -> fleet.totals().connected() == 0);
        bare.restart();
        await("all back").atMost(PATIENCE).pollInterval(Duration.ofMillis(200))
                .until(() -> fleet.totals().connected() == agents && bare.onlineSince(Instant.EPOCH) == agents);
        assertThat(fleet.totals().welcomes()).isGreaterThanOrEqualTo(3L * agents);
        assertThat(fleet.totals().resultsFailed()).isZero();
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    private static void log(String format, Object... arguments) {
        System.out.printf("E2E: fleet: " + format + "%n", arguments);
    }

    private static void awaitAllSucceeded(FleetVendor vendor, int operations) {
        await("all " + operations + " operations succeeded").atMost(PATIENCE).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(vendor.operationsByStatus()).as("operations by status")
                        .containsEntry("succeeded", operations).containsOnlyKeys("succeeded"));
    }

    private static void assertAnswered(FleetCounters counters, List<FleetVendor.Request> requests) {
        assertThat(requests).hasSize(AGENTS).allSatisfy(request -> {
            assertThat(counters.firstReceived(request.key())).as("received %s", request.key()).isNotNull();
            assertThat(counters.firstAnswered(request.key())).as("answered %s", request.key()).isNotNull();
        });
    }
}
