package dev.outpost.e2e.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.e2e.support.AgentIdentityFiles;
import dev.outpost.e2e.support.Cleanup;
import dev.outpost.e2e.support.HubApi;
import dev.outpost.e2e.support.HubWithAgent;
import dev.outpost.e2e.support.Operations;
import dev.outpost.e2e.support.TcpProxy;
import dev.outpost.e2e.support.TestDatabase;
import dev.outpost.testcluster.KubeCluster;
import dev.outpost.testcluster.KubeClusterExtension;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #12's certificate rotation without restart, end to end: with agent certificates of one
 * minute, the agent renews its certificate twice over the connection it opened at the start (the
 * proxy in front of the hub sees one connection), carries out a command after each renewal, and,
 * when the hub restarts long after its first certificate expired, reconnects with the newest one;
 * the hub then records that one, and the agent process was never restarted.
 */
@ExtendWith(KubeClusterExtension.class)
class CertificateRenewalOnH2IT {
    private static final String TTL = "60s";
    private static final String MANIFESTS = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: renewal-{{ round }}
            data:
              round: "{{ round }}"
            """;

    @TempDir
    Path work;

    private final Cleanup cleanup = new Cleanup();

    @AfterEach
    void stopEverything() throws Exception {
        cleanup.close();
    }

    @Test
    void theAgentRenewsTwiceOnItsOpenStreamAndReconnectsWithTheNewestCertificate(KubeCluster cluster) throws Exception {
        TcpProxy[] proxy = new TcpProxy[1];
        HubWithAgent s = HubWithAgent.start(cluster, TestDatabase.embeddedH2(), work, cleanup, List.of(),
                hubAddress -> cleanup.track(proxy[0] = new TcpProxy(hubAddress)).address(),
                Map.of("OUTPOST_AGENT_CERTIFICATE_TTL", TTL));
        HubApi admin = s.admin();
        long agentPid = s.agent().pid();
        long connections = proxy[0].acceptedConnections(); // enrolment's, then the one the agent keeps
        String releaseId = admin.post("/api/v1/releases", Map.of("serviceName", "renewal-" + s.suffix(),
                "version", "1.0.0", "manifests", MANIFESTS, "defaultParameters", Map.of("round", "0"))).expect(201)
                .path("id").asText();
        X509Certificate enrolled = AgentIdentityFiles.certificate(s.agentState());
        Map<BigInteger, Instant> seen = new LinkedHashMap<>(Map.of(enrolled.getSerialNumber(), notAfter(enrolled)));
        deploy(s, releaseId, 0);

        for (int round = 1; round <= 2; round++) {
            int expected = round + 1; // the enrolled certificate and one per renewal
            await("renewal " + round).atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                    .until(() -> record(seen, AgentIdentityFiles.certificate(s.agentState())).size() >= expected);
            deploy(s, releaseId, round);
        }
        assertThat(proxy[0].acceptedConnections()).as("the agent kept its connection").isEqualTo(connections);
        X509Certificate newest = AgentIdentityFiles.certificate(s.agentState());
        assertThat(newest.getPublicKey()).isNotEqualTo(enrolled.getPublicKey());
        await("the first certificate expired").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> Instant.now().isAfter(notAfter(enrolled)));

        s.hub().stop();
        s.hub().start();
        String agentPath = "/api/v1/agents?environmentId=" + s.environmentId();
        await("the agent back, on its renewed certificate").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500)).until(() -> {
                    record(seen, AgentIdentityFiles.certificate(s.agentState()));
                    JsonNode agent = admin.get(agentPath).expect(200).get(0);
                    return agent.path("status").asText().equals("online")
                            && !Instant.parse(agent.path("certificateNotAfter").asText()).equals(notAfter(enrolled));
                });
        record(seen, AgentIdentityFiles.certificate(s.agentState()));
        seen.remove(enrolled.getSerialNumber());
        assertThat(Instant.parse(admin.get(agentPath).expect(200).get(0).path("certificateNotAfter").asText()))
                .as("the hub recorded a renewed certificate, the one the agent connected with")
                .isIn(seen.values());
        deploy(s, releaseId, 3);
        assertThat(proxy[0].acceptedConnections()).isGreaterThan(connections);
        assertThat(s.agent().isAlive()).isTrue();
        assertThat(s.agent().pid()).as("never restarted").isEqualTo(agentPid);
    }

    private static void deploy(HubWithAgent s, String releaseId, int round) {
        JsonNode created = s.admin().post("/api/v1/deployments", Map.of("environmentId", s.environmentId(),
                "releaseId", releaseId, "name", "renewal-" + round, "namespace", s.agentNamespace(),
                "parameters", Map.of("round", Integer.toString(round)))).expect(202);
        Operations.awaitSucceeded(s.admin(), created.at("/operation/id").asText(), s.agent());
    }

    /** Adds the certificate to those seen so far; returns them all. */
    private static Map<BigInteger, Instant> record(Map<BigInteger, Instant> seen, X509Certificate certificate) {
        seen.put(certificate.getSerialNumber(), notAfter(certificate));
        return seen;
    }

    private static Instant notAfter(X509Certificate certificate) {
        return certificate.getNotAfter().toInstant();
    }
}
