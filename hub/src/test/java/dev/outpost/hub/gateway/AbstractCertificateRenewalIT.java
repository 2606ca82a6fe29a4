package dev.outpost.hub.gateway;

import static dev.outpost.hub.gateway.TestEnrollment.certificate;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.outpost.hub.pki.HubCertificateAuthority;
import dev.outpost.hub.pki.TestCsr;
import dev.outpost.hub.testsupport.Api;
import dev.outpost.hub.testsupport.HubTestProperties;
import dev.outpost.protocol.Pem;
import dev.outpost.protocol.v1.CertificateRenewalGrpc;
import dev.outpost.protocol.v1.EnrollResponse;
import dev.outpost.protocol.v1.RenewCertificateRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Certificate renewal stored in the hub's database: the renewed certificate is the agent's next one
 * until it connects with it, then its only one; a revoked agent's pending renewal is refused too.
 * Real TLS sockets, certificates of a few seconds; subclasses pick the database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractCertificateRenewalIT implements TestPropertyProvider {
    static final String ADMIN = "opa_" + "cr".repeat(16);

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
        Map<String, String> properties = new HashMap<>(HubTestProperties.with(databaseProperties(), ADMIN));
        properties.put("outpost.agent-certificate-ttl", "8s");
        return properties;
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
    void theRenewedCertificateReplacesTheCurrentOneWhenTheAgentFirstConnectsWithIt() throws Exception {
        KeyPair keys = TestCsr.p256();
        EnrollResponse enrolled = enrollment.enrollNewAgent(keys);
        String agent = "/api/v1/agents/" + enrolled.getAgentId();
        Instant enrolledNotAfter = Instant.parse(api.get(agent, ADMIN).json().get("certificateNotAfter").asText());
        ManagedChannel connection = channels.withCertificate(keys, certificate(enrolled));
        KeyPair renewedKeys = TestCsr.p256();

        X509Certificate renewed = awaitRenewal(connection, renewedKeys);

        assertThat(Instant.parse(api.get(agent, ADMIN).json().get("certificateNotAfter").asText()))
                .as("not taken over before the agent connects with it").isEqualTo(enrolledNotAfter);
        new TestControlStream(channels.withCertificate(renewedKeys, renewed)).hello().awaitWelcome();
        assertThat(Instant.parse(api.get(agent, ADMIN).json().get("certificateNotAfter").asText()))
                .isEqualTo(renewed.getNotAfter().toInstant());
        Status old = new TestControlStream(channels.withCertificate(keys, certificate(enrolled)))
                .hello().awaitClosed();
        assertThat(old.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    }

    @Test
    void revokingTheAgentRefusesItsPendingRenewalToo() throws Exception {
        KeyPair keys = TestCsr.p256();
        EnrollResponse enrolled = enrollment.enrollNewAgent(keys);
        KeyPair renewedKeys = TestCsr.p256();
        X509Certificate renewed = awaitRenewal(channels.withCertificate(keys, certificate(enrolled)),
                renewedKeys);

        assertThat(api.post("/api/v1/agents/" + enrolled.getAgentId() + "/revoke", ADMIN, Map.of()).status())
                .isEqualTo(200);

        Status status = new TestControlStream(channels.withCertificate(renewedKeys, renewed)).hello().awaitClosed();
        assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    }

    /** Renews as soon as the hub allows it (half-way through the certificate's few seconds). */
    private static X509Certificate awaitRenewal(ManagedChannel connection, KeyPair keys) throws Exception {
        RenewCertificateRequest request = RenewCertificateRequest.newBuilder()
                .setCsrDer(ByteString.copyFrom(TestCsr.csr(keys))).build();
        return await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .ignoreException(StatusRuntimeException.class)
                .until(() -> Pem.parseCertificate(CertificateRenewalGrpc.newBlockingStub(connection)
                        .withDeadlineAfter(10, TimeUnit.SECONDS).renew(request).getCertificatePem()), c -> true);
    }
}
