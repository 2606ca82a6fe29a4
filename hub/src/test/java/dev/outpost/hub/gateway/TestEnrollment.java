package dev.outpost.hub.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import dev.outpost.hub.pki.TestCsr;
import dev.outpost.hub.testsupport.Api;
import dev.outpost.protocol.Pem;
import dev.outpost.protocol.v1.ClusterFacts;
import dev.outpost.protocol.v1.EnrollRequest;
import dev.outpost.protocol.v1.EnrollResponse;
import dev.outpost.protocol.v1.EnrollmentGrpc;
import java.net.URI;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * An admin's REST client and agents' gateway channels to one hub under test: environments, join
 * tokens and enrolments over real TLS, as an agent enrols. {@link #close()} closes the channels opened
 * so far; more can be opened afterwards (call it after each test).
 */
final class TestEnrollment implements AutoCloseable {
    private final Api api;
    private final GatewayChannels channels;
    private final String adminToken;

    TestEnrollment(URI server, IntSupplier gatewayPort, Supplier<X509Certificate> hubCa, String adminToken) {
        this.api = new Api(server);
        this.channels = new GatewayChannels(gatewayPort, hubCa);
        this.adminToken = adminToken;
    }

    /** The REST client (calls take the admin token given here). */
    Api api() {
        return api;
    }

    /** The gateway channels, closed by {@link #close()}. */
    GatewayChannels channels() {
        return channels;
    }

    /** A new tenant with one environment; answers the environment's id. */
    String createEnvironment() {
        return TestEnvironments.create(api, adminToken);
    }

    /** A join token of {@code environmentId} with {@code uses} uses: the whole answer (id, token, …). */
    JsonNode joinToken(String environmentId, int uses) {
        return TestEnvironments.joinToken(api, adminToken, environmentId, uses);
    }

    /** Enrols {@code keys} with {@code joinToken} over an anonymous channel, as a kind cluster's agent. */
    EnrollResponse enroll(String joinToken, KeyPair keys) throws Exception {
        return EnrollmentGrpc.newBlockingStub(channels.anonymous()).withDeadlineAfter(20, TimeUnit.SECONDS)
                .enroll(EnrollRequest.newBuilder().setJoinToken(joinToken)
                        .setCsrDer(ByteString.copyFrom(TestCsr.csr(keys))).setAgentVersion("0.1.0")
                        .setCluster(ClusterFacts.newBuilder().setKubernetesVersion("v1.36.3").setNodeCount(1)
                                .setPlatform("kind"))
                        .build());
    }

    /** Enrols {@code keys} into a new environment with a one-use join token. */
    EnrollResponse enrollNewAgent(KeyPair keys) throws Exception {
        return enroll(joinToken(createEnvironment(), 1).get("token").asText(), keys);
    }

    /** The certificate the hub issued in {@code response}. */
    static X509Certificate certificate(EnrollResponse response) {
        return Pem.parseCertificate(response.getCertificatePem());
    }

    @Override
    public void close() {
        channels.close();
    }
}
