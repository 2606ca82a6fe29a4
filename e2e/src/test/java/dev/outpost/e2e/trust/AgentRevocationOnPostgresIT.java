package dev.outpost.e2e.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.e2e.fleet.FleetCounters;
import dev.outpost.e2e.fleet.FleetSimulator;
import dev.outpost.e2e.fleet.HubTarget;
import dev.outpost.e2e.fleet.SimulatedCluster;
import dev.outpost.e2e.support.Cleanup;
import dev.outpost.e2e.support.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /agents/{id}/revoke} cuts the agent's stream within 5 s, on the replica that took the
 * request and on another replica sharing the PostgreSQL database, and the agent cannot come back:
 * its certificate is refused at every reconnect. The agents are the fleet simulator's (real
 * enrolment, real mutual TLS, the real protocol), one on each of two hub processes.
 */
class AgentRevocationOnPostgresIT {
    private static final Duration CUT_WITHIN = Duration.ofSeconds(5);

    @TempDir
    Path work;

    private final Cleanup cleanup = new Cleanup();

    @AfterEach
    void stopEverything() throws Exception {
        cleanup.close();
    }

    @Test
    void aRevokedAgentIsCutOffWithinSecondsOnEveryReplicaAndCannotReconnect() throws Exception {
        HubTarget hubs = cleanup.track(new HubTarget(work, TestDatabase.freshPostgres(), 2, "512m", "2s"));
        FleetSimulator fleet = cleanup.track(new FleetSimulator(hubs.gateways(), SimulatedCluster.Behaviour.INSTANT, 4, 1,
                Duration.ofSeconds(1)));
        FleetCounters counters = fleet.counters();
        // Agent 0 on the replica whose REST API revokes, agents 1 and 3 on the other, agent 2 stays.
        List<String> agents = fleet.enrol(4, hubs::invite);
        await("all four welcomed").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> counters.connected() == 4);

        long begin = System.nanoTime();
        assertThat(hubs.vendor().revoke(agents.get(0))).isEqualTo("revoked");
        assertThat(hubs.vendor().revoke(agents.get(1))).isEqualTo("revoked");
        assertThat(hubs.vendor().revoke(agents.get(3))).isEqualTo("revoked");
        await("the revoked agents' streams cut").atMost(CUT_WITHIN).pollInterval(Duration.ofMillis(50))
                .until(() -> counters.connected() == 1);
        System.out.printf("E2E: revocation: streams cut %d ms after the first revoke (two replicas)%n",
                (System.nanoTime() - begin) / 1_000_000);
        assertThat(counters.streamEndsByCode()).containsEntry("welcomed PERMISSION_DENIED", 3L);

        // They keep trying (1 s backoff here) and are refused every time; the fourth agent is untouched.
        long welcomes = counters.welcomes();
        await("refused reconnects").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> refusedReconnects(counters) >= 6);
        assertThat(counters.welcomes()).isEqualTo(welcomes);
        assertThat(counters.connected()).isEqualTo(1);
        assertThat(hubs.vendor().agentsOnline()).isEqualTo(1);
    }

    private static long refusedReconnects(FleetCounters counters) {
        long refused = 0;
        for (Map.Entry<String, Long> ends : counters.streamEndsByCode().entrySet()) {
            if (ends.getKey().startsWith("unwelcomed ") && !ends.getKey().endsWith("UNAVAILABLE")) {
                refused += ends.getValue();
            }
        }
        return refused;
    }
}
