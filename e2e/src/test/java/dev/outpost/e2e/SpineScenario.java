package dev.outpost.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.e2e.support.AgentProcess;
import dev.outpost.e2e.support.AgentSandbox;
import dev.outpost.e2e.support.AgentsOnline;
import dev.outpost.e2e.support.ChildProcess;
import dev.outpost.e2e.support.Cleanup;
import dev.outpost.e2e.support.HubApi;
import dev.outpost.e2e.support.Operations;
import dev.outpost.e2e.support.HubProcess;
import dev.outpost.e2e.support.TestDatabase;
import dev.outpost.protocol.fixtures.ReleaseFixture;
import dev.outpost.testcluster.KubeCluster;
import dev.outpost.testcluster.KubeClusterExtension;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spine of Outpost across real processes: a vendor's hub, a customer's agent acting as a
 * least-privilege ServiceAccount in a real Kubernetes API server, and the full life of a deployment,
 * including a hub crash. Subclasses choose the hub's database.
 */
@ExtendWith(KubeClusterExtension.class)
abstract class SpineScenario {
    private static final String DEPLOYMENT_LABEL = "outpost.dev/deployment";

    @TempDir
    Path work;

    private final Cleanup cleanup = new Cleanup();

    /** The database the hub under test runs on. */
    abstract TestDatabase database();

    @AfterEach
    void stopEverything() throws Exception {
        cleanup.close();
    }

    @Test
    void enrollDeployUpgradePruneDeleteAndSurviveAHubCrash(KubeCluster cluster) {
        TestDatabase database = cleanup.track(database());
        HubProcess hub = cleanup.track(new HubProcess(work.resolve("hub-data"), database, "opa_e2e-" + UUID.randomUUID()).start());
        log("hub (%s) started in %d ms", database.kind(), hub.lastStartTime().toMillis());
        HubApi admin = new HubApi(hub.baseUrl(), hub.adminToken());

        // Vendor: tenant, environment, releases, a single-use join token.
        String tenantId = admin.post("/api/v1/tenants", Map.of("name", "acme-" + database.kind())).expect(201).path("id").asText();
        String environmentId = admin.post("/api/v1/environments", Map.of("tenantId", tenantId, "name", "prod",
                "cloud", "aws", "region", "eu-west-1", "clusterName", "acme-prod")).expect(201).path("id").asText();
        String releaseV1 = createRelease(admin, ReleaseFixture.redisV1());
        String releaseV2 = createRelease(admin, ReleaseFixture.redisV2());
        JsonNode joinToken = admin.post("/api/v1/environments/" + environmentId + "/join-tokens",
                Map.of("ttlSeconds", 600, "uses", 1)).expect(201);

        // Customer: namespace + least-privilege RBAC, then the agent dials out and enrolls.
        String namespace = cluster.newNamespace("acme");
        Path kubeconfig = AgentSandbox.prepare(cluster, namespace, work.resolve("customer"));
        Path agentState = work.resolve("agent-state");
        ChildProcess agent = cleanup.track(AgentProcess.start("agent", hub, joinToken.path("token").asText(),
                joinToken.path("caFingerprint").asText(), agentState, kubeconfig, namespace));
        JsonNode enrolled = AgentsOnline.await(admin, environmentId, agent);
        String agentId = enrolled.path("id").asText();

        // The token was single-use: a second agent using it is refused with a clear reason.
        ChildProcess intruder = cleanup.track(AgentProcess.start("agent-reusing-token", hub, joinToken.path("token").asText(),
                joinToken.path("caFingerprint").asText(), work.resolve("intruder-state"), kubeconfig, namespace));
        assertThat(intruder.awaitExit(Duration.ofSeconds(60))).isNotZero();
        assertThat(intruder.output()).contains("no uses left");

        // Create: objects exist, are labelled as ours, and the StatefulSet is available.
        KubernetesClient kube = cluster.adminClient();
        long createdAt = System.nanoTime();
        JsonNode created = admin.post("/api/v1/deployments", Map.of("environmentId", environmentId,
                "releaseId", releaseV1, "name", "cache", "namespace", namespace,
                "parameters", Map.of("name", "cache"))).expect(202);
        String deploymentId = created.path("deployment").path("id").asText();
        awaitOperationSucceeded(admin, created.path("operation").path("id").asText(), agent);
        log("create deployment -> succeeded in %d ms", Duration.ofNanos(System.nanoTime() - createdAt).toMillis());
        assertThat(ownedNames(kube, namespace, deploymentId))
                .containsExactlyInAnyOrder("ConfigMap/cache-config", "ConfigMap/cache-scripts", "Service/cache", "StatefulSet/cache");
        assertThat(statefulSet(kube, namespace, "cache").getStatus().getAvailableReplicas()).isEqualTo(1);
        assertThat(admin.get("/api/v1/deployments/" + deploymentId).expect(200).path("status").asText()).isEqualTo("ready");

        // An agent that hangs (SIGSTOP, its TCP connection still open) is marked offline within the
        // documented bound (offline-after 8 s here, plus one sweep); when it goes on it is online again.
        agent.freeze();
        awaitAgentStatus(admin, agentId, "offline", Duration.ofSeconds(8 + 5 + 5));
        agent.thaw();
        awaitAgentStatus(admin, agentId, "online", Duration.ofSeconds(90));

        // Change a parameter: the StatefulSet scales and becomes available at the new size.
        JsonNode scale = admin.patch("/api/v1/deployments/" + deploymentId,
                Map.of("parameters", Map.of("name", "cache", "replicas", "2"))).expect(202);
        awaitOperationSucceeded(admin, operationIdOf(scale), agent);
        assertThat(statefulSet(kube, namespace, "cache").getStatus().getAvailableReplicas()).isEqualTo(2);

        // Upgrade to a release without the scripts ConfigMap: it is pruned, the rest stays.
        JsonNode upgrade = admin.patch("/api/v1/deployments/" + deploymentId, Map.of("releaseId", releaseV2)).expect(202);
        awaitOperationSucceeded(admin, operationIdOf(upgrade), agent);
        assertThat(ownedNames(kube, namespace, deploymentId))
                .containsExactlyInAnyOrder("ConfigMap/cache-config", "Service/cache", "StatefulSet/cache");
        assertThat(statefulSet(kube, namespace, "cache").getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .isEqualTo("redis:8.0");

        // Delete: nothing the deployment owned is left.
        JsonNode deletion = admin.delete("/api/v1/deployments/" + deploymentId).expect(202);
        awaitOperationSucceeded(admin, operationIdOf(deletion), agent);
        await("owned objects gone").atMost(Duration.ofSeconds(60))
                .until(() -> ownedNames(kube, namespace, deploymentId).isEmpty());
        assertThat(admin.get("/api/v1/deployments/" + deploymentId).expect(200).path("status").asText()).isEqualTo("deleted");

        // Crash the hub (SIGKILL) and start it again on the same data: the agent reconnects with its
        // certificate (no second enrolment: its id is unchanged and the only token is used up).
        hub.kill9();
        Instant restartedAt = Instant.now();
        hub.start();
        log("hub restarted in %d ms", hub.lastStartTime().toMillis());
        await("agent reconnected after the restart").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    JsonNode current = admin.get("/api/v1/agents/" + agentId).expect(200);
                    return current.path("status").asText().equals("online")
                            && Instant.parse(current.path("lastSeenAt").asText()).isAfter(restartedAt);
                });
        assertThat(items(admin.get("/api/v1/agents?environmentId=" + environmentId).expect(200))).hasSize(1);

        // ... and a new deployment still works end to end.
        JsonNode second = admin.post("/api/v1/deployments", Map.of("environmentId", environmentId,
                "releaseId", releaseV2, "name", "cache-2", "namespace", namespace,
                "parameters", Map.of("name", "cache2"))).expect(202);
        awaitOperationSucceeded(admin, second.path("operation").path("id").asText(), agent);
        assertThat(statefulSet(kube, namespace, "cache2").getStatus().getAvailableReplicas()).isEqualTo(1);
    }

    @Test
    void refusesBadInputClearlyAndChangesNothing(KubeCluster cluster) {
        HubProcess hub = cleanup.track(new HubProcess(work.resolve("hub-data"), cleanup.track(database()), "opa_e2e-" + UUID.randomUUID()).start());
        HubApi admin = new HubApi(hub.baseUrl(), hub.adminToken());
        String tenantA = admin.post("/api/v1/tenants", Map.of("name", "tenant-a")).expect(201).path("id").asText();
        String tenantB = admin.post("/api/v1/tenants", Map.of("name", "tenant-b")).expect(201).path("id").asText();
        String environmentId = admin.post("/api/v1/environments", Map.of("tenantId", tenantA, "name", "prod",
                "cloud", "gcp", "region", "europe-west4", "clusterName", "a-prod")).expect(201).path("id").asText();
        String releaseId = createRelease(admin, ReleaseFixture.redisV1());
        String namespace = cluster.newNamespace("refusals");
        Path kubeconfig = AgentSandbox.prepare(cluster, namespace, work.resolve("customer"));
        String joinTokens = "/api/v1/environments/" + environmentId + "/join-tokens";

        // Join tokens: unknown, expired, and a hub CA that does not match the pin. Each agent exits
        // non-zero with the reason; the pinned token is never sent, so its use is not consumed.
        JsonNode valid = admin.post(joinTokens, Map.of("ttlSeconds", 600, "uses", 1)).expect(201);
        String fingerprint = valid.path("caFingerprint").asText();
        String unknownToken = valid.path("token").asText().split("\\.")[0] + ".wrongsecret0000000000000000000000";
        assertAgentRefused("agent-unknown-token", hub, unknownToken, fingerprint, kubeconfig, namespace, "join token is unknown");
        JsonNode shortLived = admin.post(joinTokens, Map.of("ttlSeconds", 1, "uses", 1)).expect(201);
        Instant expiry = Instant.parse(shortLived.path("expiresAt").asText());
        await("token expiry").atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(expiry.plusMillis(500)));
        assertAgentRefused("agent-expired-token", hub, shortLived.path("token").asText(), fingerprint, kubeconfig, namespace,
                "join token has expired");
        assertAgentRefused("agent-wrong-ca", hub, valid.path("token").asText(), "sha256:" + "0".repeat(64), kubeconfig,
                namespace, "does not match");
        assertThat(items(admin.get(joinTokens).expect(200))).filteredOn(t -> t.path("id").asText().equals(valid.path("id").asText()))
                .singleElement().satisfies(t -> assertThat(t.path("used").asInt()).isZero());
        assertThat(items(admin.get("/api/v1/agents?environmentId=" + environmentId).expect(200))).isEmpty();

        // REST: malformed JSON, unknown release or environment: problem+json, nothing written.
        HubApi.Response malformed = admin.postRaw("/api/v1/deployments", "{\"environmentId\": \"" + environmentId + "\",");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.contentType()).startsWith("application/problem+json");
        assertThat(malformed.body().path("detail").asText()).contains("not valid JSON");
        HubApi.Response unknownRelease = admin.post("/api/v1/deployments", Map.of("environmentId", environmentId,
                "releaseId", "no-such-release", "name", "x", "namespace", namespace));
        assertThat(unknownRelease.status()).isEqualTo(404);
        assertThat(unknownRelease.body().path("detail").asText()).contains("release");
        HubApi.Response unknownEnvironment = admin.post("/api/v1/deployments", Map.of("environmentId", "no-such-env",
                "releaseId", releaseId, "name", "x", "namespace", namespace));
        assertThat(unknownEnvironment.status()).isEqualTo(404);
        assertThat(unknownEnvironment.body().path("detail").asText()).contains("environment");
        assertThat(items(admin.get("/api/v1/deployments?environmentId=" + environmentId).expect(200))).isEmpty();

        // Tenants: B's token cannot see or change A's deployment, and does not learn it exists.
        String deploymentId = admin.post("/api/v1/deployments", Map.of("environmentId", environmentId,
                "releaseId", releaseId, "name", "cache", "namespace", namespace)).expect(202).path("deployment").path("id").asText();
        HubApi tenantBApi = admin.as(admin.post("/api/v1/tenants/" + tenantB + "/tokens", Map.of("name", "ci")).expect(201)
                .path("token").asText());
        assertThat(tenantBApi.get("/api/v1/deployments/" + deploymentId).status()).isEqualTo(404);
        assertThat(tenantBApi.patch("/api/v1/deployments/" + deploymentId, Map.of("parameters", Map.of("replicas", "9"))).status())
                .isEqualTo(404);
        assertThat(tenantBApi.delete("/api/v1/deployments/" + deploymentId).status()).isEqualTo(404);
        assertThat(items(tenantBApi.get("/api/v1/deployments").expect(200))).isEmpty();
        JsonNode untouched = admin.get("/api/v1/deployments/" + deploymentId).expect(200);
        assertThat(untouched.path("generation").asLong()).isEqualTo(1);
        assertThat(untouched.path("parameters").has("replicas")).isFalse();
        assertThat(new HubApi(hub.baseUrl(), null).get("/api/v1/deployments").status()).isEqualTo(401);
    }

    private void assertAgentRefused(String name, HubProcess hub, String token, String fingerprint, Path kubeconfig,
            String namespace, String reason) {
        ChildProcess agent = cleanup.track(AgentProcess.start(name, hub, token, fingerprint, work.resolve(name + "-state"),
                kubeconfig, namespace));
        assertThat(agent.awaitExit(Duration.ofSeconds(60))).as(agent.logTail()).isNotZero();
        assertThat(agent.output()).as(agent.logTail()).contains(reason);
    }

    private static String createRelease(HubApi admin, ReleaseFixture release) {
        return admin.post("/api/v1/releases", Map.of("serviceName", release.serviceName(), "version", release.version(),
                "manifests", release.manifests(), "defaultParameters", release.defaults())).expect(201).path("id").asText();
    }



    private static void awaitOperationSucceeded(HubApi admin, String operationId, ChildProcess agent) {
        Operations.awaitSucceeded(admin, operationId, agent);
    }

    private static void awaitAgentStatus(HubApi admin, String agentId, String status, Duration patience) {
        await("agent " + agentId + " " + status).atMost(patience).pollInterval(Duration.ofMillis(250))
                .until(() -> admin.get("/api/v1/agents/" + agentId).expect(200).path("status").asText().equals(status));
    }

    /** PATCH and DELETE answer with the operation, possibly wrapped with the deployment. */
    private static String operationIdOf(JsonNode response) {
        return response.has("operation") ? response.path("operation").path("id").asText() : response.path("id").asText();
    }

    private static List<JsonNode> items(JsonNode body) {
        JsonNode list = body.isArray() ? body : body.path("items");
        List<JsonNode> items = new ArrayList<>();
        list.forEach(items::add);
        return items;
    }

    private static List<String> ownedNames(KubernetesClient kube, String namespace, String deploymentId) {
        Stream<GenericKubernetesResource> configMaps = kube.genericKubernetesResources("v1", "ConfigMap")
                .inNamespace(namespace).withLabel(DEPLOYMENT_LABEL, deploymentId).list().getItems().stream();
        Stream<GenericKubernetesResource> services = kube.genericKubernetesResources("v1", "Service")
                .inNamespace(namespace).withLabel(DEPLOYMENT_LABEL, deploymentId).list().getItems().stream();
        Stream<GenericKubernetesResource> statefulSets = kube.genericKubernetesResources("apps/v1", "StatefulSet")
                .inNamespace(namespace).withLabel(DEPLOYMENT_LABEL, deploymentId).list().getItems().stream();
        return Stream.of(configMaps, services, statefulSets).flatMap(s -> s)
                .map(o -> o.getKind() + "/" + o.getMetadata().getName()).toList();
    }

    private static StatefulSet statefulSet(KubernetesClient kube, String namespace, String name) {
        return kube.apps().statefulSets().inNamespace(namespace).withName(name).get();
    }


    private static void log(String format, Object... args) {
        System.out.printf("E2E: " + format + "%n", args);
    }
}
