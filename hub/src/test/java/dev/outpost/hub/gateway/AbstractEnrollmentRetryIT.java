package dev.outpost.hub.gateway;

import static dev.outpost.hub.gateway.TestEnrollment.certificate;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.hub.pki.HubCertificateAuthority;
import dev.outpost.hub.pki.TestCsr;
import dev.outpost.hub.testsupport.Api;
import dev.outpost.hub.testsupport.HubTestProperties;
import dev.outpost.protocol.v1.EnrollResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.security.KeyPair;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * An agent whose Enroll answer was lost asks again with the same join token and key: it gets the
 * same identity and a fresh certificate, the token is used once, and only the newest certificate
 * opens a stream. Anything else (another key, a revoked agent) enrols as new. Real TLS sockets;
 * subclasses pick the database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractEnrollmentRetryIT implements TestPropertyProvider {
    static final String ADMIN = "opa_" + "er".repeat(16);

    @Inject
    AgentGateway gateway;
    @Inject
    HubCertificateAuthority ca;
    @Inject
    EmbeddedServer server;

    private TestEnrollment enrollment;
    private Api api;
    private GatewayChannels channels;

    /** Database-specific properties (outpost.db-url and friends, or nothing for H2). */
    abstract Map<String, String> databaseProperties();

    @Override
    public Map<String, String> getProperties() {
        return HubTestProperties.with(databaseProperties(), ADMIN);
    }

    @BeforeAll
    void clients() {
        enrollment = new TestEnrollment(server.getURI(), gateway::port, ca::caCertificate, ADMIN);
        api = enrollment.api();
        channels = enrollment.channels();
    }

    @AfterEach
    void closeChannels() {
        enrollment.close();
    }

    @Test
    void aRetryWithTheSameTokenAndKeyGetsTheSameAgentAndUsesTheTokenOnce() throws Exception {
        String env = enrollment.createEnvironment();
        JsonNode token = enrollment.joinToken(env, 1);
        KeyPair keys = TestCsr.p256();

        EnrollResponse lost = enrollment.enroll(token.get("token").asText(), keys);
        EnrollResponse retried = enrollment.enroll(token.get("token").asText(), keys);

        assertThat(retried.getAgentId()).isEqualTo(lost.getAgentId());
        assertThat(retried.getTenantId()).isEqualTo(lost.getTenantId());
        assertThat(retried.getEnvironmentId()).isEqualTo(env);
        assertThat(certificate(retried).getSerialNumber()).isNotEqualTo(certificate(lost).getSerialNumber());
        JsonNode agents = api.get("/api/v1/agents?environmentId=" + env, ADMIN).json();
        assertThat(agents).hasSize(1);
        assertThat(agents.get(0).get("id").asText()).isEqualTo(lost.getAgentId());
        assertThat(agents.get(0).get("status").asText()).isNotEqualTo("revoked");
        JsonNode stored = api.get("/api/v1/environments/" + env + "/join-tokens", ADMIN).json().get(0);
        assertThat(stored.get("used").asInt()).isEqualTo(1);

        TestControlStream current = new TestControlStream(channels.withCertificate(keys, certificate(retried))).hello();
        current.awaitWelcome();
        Status stale = new TestControlStream(channels.withCertificate(keys, certificate(lost))).hello().awaitClosed();
        assertThat(stale.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    }

    @Test
    void anotherKeyWithAUsedUpTokenIsRefusedAndTheFirstAgentStays() throws Exception {
        String env = enrollment.createEnvironment();
        String token = enrollment.joinToken(env, 1).get("token").asText();
        EnrollResponse first = enrollment.enroll(token, TestCsr.p256());

        assertThatThrownBy(() -> enrollment.enroll(token, TestCsr.p256()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
                    assertThat(e.getStatus().getDescription()).isEqualTo("join token has no uses left");
                });
        JsonNode agents = api.get("/api/v1/agents?environmentId=" + env, ADMIN).json();
        assertThat(agents).extracting(a -> a.get("id").asText()).containsExactly(first.getAgentId());
    }

    @Test
    void anotherKeyWithAMultiUseTokenEnrolsANewAgent() throws Exception {
        String env = enrollment.createEnvironment();
        String token = enrollment.joinToken(env, 2).get("token").asText();

        EnrollResponse first = enrollment.enroll(token, TestCsr.p256());
        EnrollResponse second = enrollment.enroll(token, TestCsr.p256());

        assertThat(second.getAgentId()).isNotEqualTo(first.getAgentId());
        assertThat(api.get("/api/v1/environments/" + env + "/join-tokens", ADMIN).json().get(0).get("used").asInt())
                .isEqualTo(2);
    }

    @Test
    void aRevokedAgentDoesNotComeBackByRetryingItsEnrolment() throws Exception {
        String env = enrollment.createEnvironment();
        String token = enrollment.joinToken(env, 1).get("token").asText();
        KeyPair keys = TestCsr.p256();
        EnrollResponse first = enrollment.enroll(token, keys);
        assertThat(api.post("/api/v1/agents/" + first.getAgentId() + "/revoke", ADMIN, Map.of()).status())
                .isEqualTo(200);

        assertThatThrownBy(() -> enrollment.enroll(token, keys))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
        assertThat(api.get("/api/v1/agents/" + first.getAgentId(), ADMIN).json().get("status").asText())
                .isEqualTo("revoked");
    }

    @Test
    void aRetryAfterTheTokenWasRevokedIsRefused() throws Exception {
        String env = enrollment.createEnvironment();
        JsonNode token = enrollment.joinToken(env, 1);
        KeyPair keys = TestCsr.p256();
        enrollment.enroll(token.get("token").asText(), keys);
        assertThat(api.delete("/api/v1/environments/" + env + "/join-tokens/" + token.get("id").asText(), ADMIN)
                .status()).isEqualTo(204);

        assertThatThrownBy(() -> enrollment.enroll(token.get("token").asText(), keys))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
    }
}
