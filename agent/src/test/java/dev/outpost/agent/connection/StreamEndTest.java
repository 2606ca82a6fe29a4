package dev.outpost.agent.connection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.agent.identity.CertificateExpiry;
import io.grpc.Status;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class StreamEndTest {
    private static final Instant NOT_AFTER = Instant.parse("2030-03-31T12:00:00Z");
    private static final Status HANDSHAKE_FAILED = Status.UNAVAILABLE.withDescription("io exception")
            .withCause(new IOException("Received fatal alert: certificate_expired"));

    @Test
    void anOutageWithAValidCertificateIsRetriedAtTheUsualPace() {
        StreamEnd end = StreamEnd.of(HANDSHAKE_FAILED, certificate(NOT_AFTER.minusSeconds(60)));

        assertThat(end.refused()).isFalse();
        assertThat(end.reason()).isEqualTo("control stream ended: UNAVAILABLE io exception "
                + "(Received fatal alert: certificate_expired)");
    }

    @Test
    void anExpiredCertificateIsAnErrorRetriedSlowlyWhateverTheStatus() {
        StreamEnd end = StreamEnd.of(HANDSHAKE_FAILED, certificate(NOT_AFTER.plusSeconds(60)));

        assertThat(end.refused()).isTrue();
        assertThat(end.reason()).isEqualTo("client certificate expired on 2030-03-31T12:00:00Z: enrol again with a "
                + "new join token (delete /state/identity.json)");
    }

    @Test
    void aRefusalIsAnErrorRetriedSlowly() {
        StreamEnd end = StreamEnd.of(Status.PERMISSION_DENIED.withDescription("agent a1 was revoked"),
                certificate(NOT_AFTER.minusSeconds(60)));

        assertThat(end.refused()).isTrue();
        assertThat(end.reason()).isEqualTo("the hub refused this agent: PERMISSION_DENIED agent a1 was revoked. The "
                + "agent was revoked or enrolled again elsewhere; to enrol again with a new join token, "
                + "delete /state/identity.json");
    }

    @Test
    void aRefusedMessageIsAnErrorRetriedSlowlyNotATightReconnectLoop() {
        StreamEnd end = StreamEnd.of(Status.INVALID_ARGUMENT.withDescription(
                "hello.agent_version must be at most 100 characters (has 101)"), certificate(NOT_AFTER.minusSeconds(60)));

        assertThat(end.refused()).isTrue();
        assertThat(end.reason()).isEqualTo("the hub refused a message from this agent: INVALID_ARGUMENT "
                + "hello.agent_version must be at most 100 characters (has 101). Retrying will not help until the agent "
                + "(its version, or what it reports of its cluster) is fixed; upgrade the agent or report this");
        assertThat(StreamEnd.of(Status.FAILED_PRECONDITION.withDescription("the first message on a stream must be Hello"),
                certificate(NOT_AFTER.minusSeconds(60))).refused()).isTrue();
    }

    private static CertificateExpiry certificate(Instant now) {
        return new CertificateExpiry(NOT_AFTER, "delete /state/identity.json", Clock.fixed(now, ZoneOffset.UTC));
    }
}
