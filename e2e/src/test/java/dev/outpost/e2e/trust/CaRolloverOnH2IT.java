package dev.outpost.e2e.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.e2e.support.AgentIdentityFiles;
import dev.outpost.e2e.support.Cleanup;
import dev.outpost.e2e.support.HubWithAgent;
import dev.outpost.e2e.support.Operations;
import dev.outpost.e2e.support.ProjectPaths;
import dev.outpost.e2e.support.TcpProxy;
import dev.outpost.e2e.support.TestDatabase;
import dev.outpost.testcluster.KubeCluster;
import dev.outpost.testcluster.KubeClusterExtension;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #12's CA rollover, end to end, with agent certificates of 30 seconds: the vendor prepares a
 * new CA (the connected agent is sent it and trusts both), activates it (the gateway presents a
 * certificate of the new CA to new connections, and the agent's next renewal is signed by it), and
 * retires the old one (the agent trusts the new one only). The agent keeps its stream through every
 * step and carries out commands between them; connections cut after the activation and after the
 * retirement are made again against the new CA; the agent renews at least twice and is never
 * restarted nor enrolled again.
 */
@ExtendWith(KubeClusterExtension.class)
class CaRolloverOnH2IT {
    private static final String MANIFESTS = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: rollover-{{ round }}
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
    void theAgentKeepsItsStreamAndItsCommandsThroughPrepareActivateAndRetireWithoutRestartOrReEnrolment(
            KubeCluster cluster) throws Exception {
        TcpProxy[] proxy = new TcpProxy[1];
        HubWithAgent s = HubWithAgent.start(cluster, TestDatabase.embeddedH2(), work, cleanup, List.of(),
                hubAddress -> cleanup.track(proxy[0] = new TcpProxy(hubAddress)).address(),
                Map.of("OUTPOST_AGENT_CERTIFICATE_TTL", "30s", "OUTPOST_GATEWAY_CA_RELOAD_INTERVAL", "500ms"));
        Path pki = work.resolve("hub-data/pki");
        long agentPid = s.agent().pid();
        String agentId = s.admin().get("/api/v1/agents?environmentId=" + s.environmentId()).expect(200).get(0)
                .path("id").asText();
        long connections = proxy[0].acceptedConnections();
        String releaseId = s.admin().post("/api/v1/releases", Map.of("serviceName", "rollover-" + s.suffix(),
                "version", "1.0.0", "manifests", MANIFESTS, "defaultParameters", Map.of("round", "0"))).expect(201)
                .path("id").asText();
        X509Certificate oldCa = only(AgentIdentityFiles.trustedCas(s.agentState()));
        Set<BigInteger> serials = new LinkedHashSet<>(
                List.of(AgentIdentityFiles.certificate(s.agentState()).getSerialNumber()));
        deploy(s, releaseId, 0);

        assertThat(ca(pki, "prepare")).startsWith("prepared: CA ");
        await("the new CA sent to the agent").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
                .until(() -> AgentIdentityFiles.trustedCas(s.agentState()).size() == 2);
        X509Certificate newCa = AgentIdentityFiles.trustedCas(s.agentState()).get(1);
        assertThat(AgentIdentityFiles.trustedCas(s.agentState()).get(0)).isEqualTo(oldCa);

        assertThat(ca(pki, "activate")).startsWith("activated: CA ");
        await("a renewal signed by the new CA").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .until(() -> {
                    X509Certificate current = AgentIdentityFiles.certificate(s.agentState());
                    serials.add(current.getSerialNumber());
                    return current.getIssuerX500Principal().equals(newCa.getSubjectX500Principal());
                });
        deploy(s, releaseId, 1);
        assertThat(proxy[0].acceptedConnections()).as("the agent kept its stream through prepare, activate and a "
                + "renewal").isEqualTo(connections);

        // A new connection now meets the gateway's certificate of the new CA.
        reconnect(s, proxy[0], agentId);
        deploy(s, releaseId, 2);

        assertThat(ca(pki, "retire")).startsWith("retired: CA ");
        await("the agent trusts the new CA only").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
                .until(() -> AgentIdentityFiles.trustedCas(s.agentState()).equals(List.of(newCa)));
        long beforeRenewal = serials.size();
        await("another renewal").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .until(() -> {
                    serials.add(AgentIdentityFiles.certificate(s.agentState()).getSerialNumber());
                    return serials.size() > beforeRenewal;
                });
        deploy(s, releaseId, 3);
        reconnect(s, proxy[0], agentId);
        deploy(s, releaseId, 4);

        assertThat(serials).as("the enrolled certificate and at least two renewals").hasSizeGreaterThanOrEqualTo(3);
        assertThat(AgentIdentityFiles.certificate(s.agentState()).getIssuerX500Principal())
                .isEqualTo(newCa.getSubjectX500Principal());
        assertThat(s.admin().get("/api/v1/agents?environmentId=" + s.environmentId()).expect(200)).hasSize(1);
        assertThat(s.agent().isAlive()).isTrue();
        assertThat(s.agent().pid()).as("never restarted").isEqualTo(agentPid);
    }

    /** Cuts the agent's connection and waits for it to connect again (a new TLS handshake). */
    private static void reconnect(HubWithAgent s, TcpProxy proxy, String agentId) {
        long before = proxy.acceptedConnections();
        proxy.dropConnections();
        await("the agent reconnected").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .until(() -> proxy.acceptedConnections() > before && "online".equals(s.admin()
                        .get("/api/v1/agents/" + agentId).expect(200).path("status").asText()));
    }

    private static void deploy(HubWithAgent s, String releaseId, int round) {
        JsonNode created = s.admin().post("/api/v1/deployments", Map.of("environmentId", s.environmentId(),
                "releaseId", releaseId, "name", "rollover-" + round, "namespace", s.agentNamespace(),
                "parameters", Map.of("round", Integer.toString(round)))).expect(202);
        Operations.awaitSucceeded(s.admin(), created.at("/operation/id").asText(), s.agent());
    }

    /** Runs {@code outpost-hub ca <step>} on the hub's CA files, as the vendor would; answers its output. */
    private static String ca(Path pki, String step) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ProjectPaths.java(), "-Xmx64m", "-jar",
                ProjectPaths.hubJar().toString(), "ca", step, "--pki-dir", pki.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(output).isZero();
        return output.strip();
    }

    private static X509Certificate only(List<X509Certificate> certificates) {
        assertThat(certificates).hasSize(1);
        return certificates.getFirst();
    }
}
