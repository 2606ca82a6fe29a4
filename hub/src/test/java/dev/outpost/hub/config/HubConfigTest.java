package dev.outpost.hub.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class HubConfigTest {

    @Test
    void theDefaultsAreValid() {
        HubConfig config = new HubConfig();

        assertThat(config.problems()).isEmpty();
        config.validate();
    }

    @Test
    void aHeartbeatIntervalAboveHalfOfOfflineAfterIsRefusedNamingBothKeys() {
        HubConfig config = new HubConfig();
        config.setHeartbeatInterval(Duration.ofSeconds(16));
        config.setOfflineAfter(Duration.ofSeconds(30));

        assertThat(config.problems()).containsExactly(
                "outpost.heartbeat-interval (PT16S) must be at most half of outpost.offline-after (PT30S)");
        config.setHeartbeatInterval(Duration.ofSeconds(15));
        assertThat(config.problems()).isEmpty();
    }

    @Test
    void portsOutOfRangeAndDurationsThatAreNotPositiveAreAllReportedAtOnce() {
        HubConfig config = new HubConfig();
        config.setHttpPort(70000);
        config.setGrpcPort(-1);
        config.setHeartbeatInterval(Duration.ofMillis(500));
        config.setCommandPollInterval(Duration.ZERO);
        config.setAgentCertificateTtl(Duration.ofDays(-1));
        config.setJoinTokenDefaultTtl(Duration.ofDays(8));

        assertThat(config.problems()).containsExactlyInAnyOrder(
                "outpost.http-port (70000) must be between -1 and 65535",
                "outpost.grpc-port (-1) must be between 0 and 65535",
                "outpost.heartbeat-interval (PT0.5S) must be at least 1s",
                "outpost.command-poll-interval (PT0S) must be a positive duration",
                "outpost.agent-certificate-ttl (PT-24H) must be a positive duration",
                "outpost.join-token-default-ttl (PT192H) must not exceed outpost.join-token-max-ttl (PT168H)");
        assertThatThrownBy(config::validate).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("Invalid hub configuration: outpost.http-port (70000)")
                .hasMessageContaining("; outpost.grpc-port (-1)");
    }
}
