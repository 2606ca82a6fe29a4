package dev.outpost.e2e.packages;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.e2e.support.Cleanup;
import dev.outpost.e2e.support.HubApi;
import dev.outpost.e2e.support.HubWithAgent;
import dev.outpost.e2e.support.ServicePackages;
import dev.outpost.e2e.support.TestDatabase;
import dev.outpost.protocol.openbao.OpenBaoServer;
import dev.outpost.testcluster.KubeCluster;
import dev.outpost.testcluster.KubeClusterExtension;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #12's OpenBao-backed secrets, end to end: a hub whose secrets key only OpenBao's Transit can
 * unwrap, and which keeps secret values in OpenBao's KV v2 (a real OpenBao server), deploys the Redis
 * package, whose password the hub generates; the password is in KV, reaches the cluster's Secret,
 * survives a hub restart (the key is unwrapped again, not made anew), and appears in no log of the hub
 * or the agent, nor does OpenBao's token.
 */
@ExtendWith(KubeClusterExtension.class)
class SecretsOnOpenBaoIT {
    private static final Map<String, Object> REDIS_ON_KWOK =
            Map.of("architecture", "replication", "replicas", 2, "persistence", false);

    @TempDir
    Path work;

    private final Cleanup cleanup = new Cleanup();

    @AfterEach
    void stopEverything() throws Exception {
        cleanup.close();
    }

    @Test
    void aGeneratedPasswordSealedWithOpenBaosKeyReachesTheClusterAndNoLog(KubeCluster cluster) {
        OpenBaoServer openBao = cleanup.track(new OpenBaoServer());
        Map<String, String> hubEnvironment = new java.util.HashMap<>(openBao.hubEnvironment());
        hubEnvironment.put("OUTPOST_SECRETS_OPENBAO_KV_MOUNT", "secret");
        HubWithAgent s = HubWithAgent.start(cluster, TestDatabase.embeddedH2(), work, cleanup, List.of(),
                UnaryOperator.identity(), hubEnvironment);
        HubApi admin = s.admin();
        String release = admin.publishPackage(ServicePackages.redis()).expect(201).path("id").asText();
        String name = "bao-" + s.suffix();
        JsonNode created = admin.post("/api/v1/deployments", Map.of("environmentId", s.environmentId(),
                "releaseId", release, "name", name, "plan", "small", "parameters", REDIS_ON_KWOK)).expect(202);
        PackageScenarios.awaitOperationSucceeded(admin, created.at("/operation/id").asText(), s.agent());
        String namespace = created.at("/deployment/namespace").asText();
        String password = password(cluster, namespace, name);
        assertThat(password).hasSizeGreaterThanOrEqualTo(16);
        assertThat(s.hub().process().output()).contains("Sealing secrets at rest with",
                "the data key openbao:transit/outpost-hub", "Keeping deployments' secret values in OpenBao's KV v2");
        String deploymentId = created.at("/deployment/id").asText();
        assertThat(openBao.get("secret/data/outpost-hub/deployments/" + deploymentId + "/password").body())
                .as("the value is kept in OpenBao's KV").contains("\"value\":\"" + password + "\"");

        s.hub().stop();
        s.hub().start();
        Map<String, Object> changed = new java.util.HashMap<>(REDIS_ON_KWOK);
        changed.put("maxMemory", "128mb");
        JsonNode change = admin.patch("/api/v1/deployments/" + deploymentId,
                Map.of("parameters", changed)).expect(202);
        PackageScenarios.awaitOperationSucceeded(admin, change.at("/operation/id").asText(), s.agent());
        assertThat(password(cluster, namespace, name)).as("the same password, opened after the restart").isEqualTo(password);

        // The hub's log file holds both runs: the key was made once, by the first.
        String hubLog = s.hub().process().output();
        assertThat(hubLog.split("Created the secrets data key", -1)).hasSize(2);
        assertThat(hubLog + s.agent().output()).as("hub and agent logs").doesNotContain(password)
                .doesNotContain(openBao.token());
    }

    private static String password(KubeCluster cluster, String namespace, String name) {
        Secret secret = cluster.adminClient().secrets().inNamespace(namespace).withName(name + "-redis-auth").get();
        return new String(Base64.getDecoder().decode(secret.getData().get("redis-password")), StandardCharsets.UTF_8);
    }
}
