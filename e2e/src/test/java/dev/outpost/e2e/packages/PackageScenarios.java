package dev.outpost.e2e.packages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.e2e.support.ChildProcess;
import dev.outpost.e2e.support.Cleanup;
import dev.outpost.e2e.support.HubApi;
import dev.outpost.e2e.support.HubWithAgent;
import dev.outpost.e2e.support.Operations;
import dev.outpost.e2e.support.ServicePackages;
import dev.outpost.e2e.support.TestDatabase;
import dev.outpost.testcluster.KubeCluster;
import dev.outpost.testcluster.KubeClusterExtension;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #8 end to end: service packages published to a hub process and carried out by an agent process
 * (per-deployment namespaces, a test infrastructure provider) on the real API server with kwok nodes.
 * After each step the cluster is compared with what the hub says. Subclasses choose the hub's database.
 */
@ExtendWith(KubeClusterExtension.class)
abstract class PackageScenarios {
    private static final String DEPLOYMENT_LABEL = "outpost.dev/deployment";
    /** What works on kwok: no persistence, as nothing provisions volumes there (docs/examples.md). */
    private static final Map<String, Object> REDIS_ON_KWOK =
            Map.of("architecture", "replication", "replicas", 2, "persistence", false);
    private static final String GPU_POOL_LABEL_KEY = "outpost.dev/node-pool";
    private static final String GPU_POOL_LABEL_VALUE = "gpu-pool";

    @TempDir
    Path work;

    private final Cleanup cleanup = new Cleanup();

    /** The database the hub under test runs on. */
    abstract TestDatabase database();

    @AfterEach
    void stopEverything() throws Exception {
        cleanup.close();
    }

    private HubWithAgent setUp(KubeCluster cluster, List<String> agentOptions) {
        return HubWithAgent.start(cluster, database(), work, cleanup, agentOptions);
    }

    @Test
    void redisPublishDeployChangeUpgradeRollBackAndDelete(KubeCluster cluster) {
        HubWithAgent s = setUp(cluster, List.of());
        HubApi admin = s.admin();
        KubernetesClient kube = cluster.adminClient();

        long publishStart = System.nanoTime();
        String v100 = admin.publishPackage(ServicePackages.redis()).expect(201).path("id").asText();
        log("publish examples/redis: %d ms", millisSince(publishStart));
        long publish110Start = System.nanoTime();
        String v110 = admin.publishPackage(ServicePackages.redis110(work)).expect(201).path("id").asText();
        log("publish redis 1.1.0: %d ms", millisSince(publish110Start));

        // Create: replication with 2 replicas, in a namespace of its own; both StatefulSets Ready.
        String name = "shop-" + s.suffix();
        long createStart = System.nanoTime();
        JsonNode created = admin.post("/api/v1/deployments", Map.of("environmentId", s.environmentId(),
                "releaseId", v100, "name", name, "plan", "small", "parameters", REDIS_ON_KWOK)).expect(202);
        log("create request (render + plan) answered in %d ms", millisSince(createStart));
        JsonNode deployment = created.path("deployment");
        String deploymentId = deployment.path("id").asText();
        String namespace = deployment.path("namespace").asText();
        assertThat(deployment.path("namespaceMode").asText()).isEqualTo("per-deployment");
        awaitOperationSucceeded(admin, created.path("operation").path("id").asText(), s.agent());
        log("create -> operation succeeded (StatefulSets Ready) in %d ms", millisSince(createStart));
        assertThat(kube.namespaces().withName(namespace).get()).isNotNull();
        assertThat(ownedNames(kube, namespace, deploymentId)).containsExactlyInAnyOrder(
                "StatefulSet/" + name + "-redis-master", "StatefulSet/" + name + "-redis-replicas",
                "Service/" + name + "-redis-master", "Service/" + name + "-redis-replicas",
                "Service/" + name + "-redis-headless", "ConfigMap/" + name + "-redis-config",
                "Secret/" + name + "-redis-auth");
        assertReady(kube, namespace, name + "-redis-master", 1);
        assertReady(kube, namespace, name + "-redis-replicas", 2);
        assertThat(admin.get("/api/v1/deployments/" + deploymentId).expect(200).path("status").asText())
                .isEqualTo("ready");
        String configBefore = redisConf(kube, namespace, name);

        // A parameter change: maxmemory in redis.conf, nothing else of the set changes.
        Map<String, Object> changed = new java.util.HashMap<>(REDIS_ON_KWOK);
        changed.put("maxMemory", "128mb");
        JsonNode change = admin.patch("/api/v1/deployments/" + deploymentId, Map.of("parameters", changed)).expect(202);
        awaitOperationSucceeded(admin, change.path("operation").path("id").asText(), s.agent());
        assertThat(redisConf(kube, namespace, name)).contains("maxmemory 128mb").doesNotContain("maxmemory 192mb");
        assertReady(kube, namespace, name + "-redis-replicas", 2);
        assertThat(admin.get("/api/v1/deployments/" + deploymentId).expect(200).path("parameters").path("maxMemory")
                .asText()).isEqualTo("128mb");

        // Upgrade to 1.1.0: the ConfigMap gets readiness.sh, the probe runs it; same objects.
        List<String> before = ownedNames(kube, namespace, deploymentId);
        JsonNode upgrade = admin.patch("/api/v1/deployments/" + deploymentId, Map.of("releaseId", v110)).expect(202);
        awaitOperationSucceeded(admin, upgrade.path("operation").path("id").asText(), s.agent());
        assertThat(ownedNames(kube, namespace, deploymentId)).containsExactlyInAnyOrderElementsOf(before);
        assertThat(configMap(kube, namespace, name).getData()).containsKey("readiness.sh");
        assertThat(redisConf(kube, namespace, name)).contains("tcp-keepalive 60").contains("maxmemory 128mb");
        assertThat(admin.get("/api/v1/deployments/" + deploymentId).expect(200).path("releaseId").asText())
                .isEqualTo(v110);

        // Roll back: the revision before (1.0.0 with maxMemory 128mb) is what runs again.
        JsonNode rollback = admin.post("/api/v1/deployments/" + deploymentId + "/rollback", Map.of()).expect(202);
        awaitOperationSucceeded(admin, rollback.path("operation").path("id").asText(), s.agent());
        JsonNode rolledBack = admin.get("/api/v1/deployments/" + deploymentId).expect(200);
        assertThat(rolledBack.path("releaseId").asText()).isEqualTo(v100);
        assertThat(configMap(kube, namespace, name).getData()).doesNotContainKey("readiness.sh");
        assertThat(redisConf(kube, namespace, name)).contains("maxmemory 128mb").doesNotContain("tcp-keepalive 60");
        assertThat(ownedNames(kube, namespace, deploymentId)).containsExactlyInAnyOrderElementsOf(before);
        assertThat(configBefore).isNotEqualTo(redisConf(kube, namespace, name));

        // Delete: the objects and the namespace the agent made are gone.
        JsonNode deletion = admin.delete("/api/v1/deployments/" + deploymentId).expect(202);
        awaitOperationSucceeded(admin, deletion.path("operation").path("id").asText(), s.agent());
        assertThat(admin.get("/api/v1/deployments/" + deploymentId).expect(200).path("status").asText())
                .isEqualTo("deleted");
        await("namespace " + namespace + " gone").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(() -> kube.namespaces().withName(namespace).get() == null);
    }

    @Test
    void gpuPoolQuotaExceededAppliesNothingThenRetryCompletes(KubeCluster cluster) throws IOException {
        Path providerFile = work.resolve("infrastructure.yaml");
        Files.createDirectories(work);
        Files.writeString(providerFile, "nodePool/gpu-pool: \"fail: quota exceeded: 0 of 1 g5.xlarge available in eu-west-1\"\n");
        HubWithAgent s = setUp(cluster, List.of("--infrastructure-provider", "test",
                "--test-infrastructure-file", providerFile.toString()));
        HubApi admin = s.admin();
        KubernetesClient kube = cluster.adminClient();
        String releaseId = admin.publishPackage(ServicePackages.gpuInference()).expect(201).path("id").asText();

        // The pool cannot be made: nothing of the server is applied, the operation says where and why.
        String name = "infer-" + s.suffix();
        JsonNode created = admin.post("/api/v1/deployments", Map.of("environmentId", s.environmentId(),
                "releaseId", releaseId, "name", name)).expect(202);
        String deploymentId = created.path("deployment").path("id").asText();
        String namespace = created.path("deployment").path("namespace").asText();
        JsonNode failed = awaitOperationFinished(admin, created.path("operation").path("id").asText());
        assertThat(failed.path("status").asText()).as(failed.toString()).isEqualTo("failed");
        assertThat(failed.path("failedStep").asText()).isEqualTo("gpu-pool");
        assertThat(failed.path("failureReason").asText()).contains("quota exceeded");
        assertThat(stepStates(failed)).containsEntry("gpu-pool", "failed").containsEntry("inference", "skipped");
        assertThat(ownedWorkloads(kube, namespace, deploymentId)).isEmpty();
        JsonNode afterFailure = admin.get("/api/v1/deployments/" + deploymentId).expect(200);
        assertThat(afterFailure.path("status").asText()).isEqualTo("failed");
        assertThat(afterFailure.path("failedStep").asText()).isEqualTo("gpu-pool");

        // The quota is raised, a kwok node plays the pool's node; the retry carries on and is Ready.
        Files.writeString(providerFile, "nodePool/gpu-pool: succeed\n");
        Node node = kube.nodes().list().getItems().stream()
                .filter(n -> n.getMetadata().getAnnotations() != null
                        && n.getMetadata().getAnnotations().containsKey(KubeCluster.FAKE_NODE_ANNOTATION))
                .findFirst().orElseThrow();
        kube.nodes().withName(node.getMetadata().getName())
                .edit(n -> {
                    n.getMetadata().getLabels().put(GPU_POOL_LABEL_KEY, GPU_POOL_LABEL_VALUE);
                    return n;
                });
        cleanup.track((AutoCloseable) () -> kube.nodes().withName(node.getMetadata().getName()).edit(n -> {
            n.getMetadata().getLabels().remove(GPU_POOL_LABEL_KEY);
            return n;
        }));
        JsonNode retry = admin.post("/api/v1/operations/" + failed.path("id").asText() + "/retry", Map.of()).expect(202);
        assertThat(retry.path("operation").path("retryOf").asText()).isEqualTo(failed.path("id").asText());
        awaitOperationSucceeded(admin, retry.path("operation").path("id").asText(), s.agent());
        assertThat(admin.get("/api/v1/deployments/" + deploymentId).expect(200).path("status").asText())
                .isEqualTo("ready");
        assertThat(ownedWorkloads(kube, namespace, deploymentId)).isNotEmpty();
        GenericKubernetesResource server = ownedWorkloads(kube, namespace, deploymentId).get(0);
        assertThat(kube.apps().deployments().inNamespace(namespace).withName(server.getMetadata().getName()).get()
                .getStatus().getReadyReplicas()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aComponentWhoseDependencyNeverGetsReadyIsNeverApplied(KubeCluster cluster) {
        HubWithAgent s = setUp(cluster, List.of());
        HubApi admin = s.admin();
        KubernetesClient kube = cluster.adminClient();
        String releaseId = admin.publishPackage(ServicePackages.testPackage("stuck-dependency")).expect(201)
                .path("id").asText();

        String name = "stuck-" + s.suffix();
        long start = System.nanoTime();
        JsonNode created = admin.post("/api/v1/deployments", Map.of("environmentId", s.environmentId(),
                "releaseId", releaseId, "name", name)).expect(202);
        String deploymentId = created.path("deployment").path("id").asText();
        String namespace = created.path("deployment").path("namespace").asText();
        JsonNode failed = awaitOperationFinished(admin, created.path("operation").path("id").asText(), s.agent());
        log("stuck dependency: operation failed after %d ms (db gate 8 s)", millisSince(start));

        assertThat(failed.path("status").asText()).as(failed.toString()).isEqualTo("failed");
        assertThat(failed.path("failedStep").asText()).isEqualTo("db");
        assertThat(failed.path("failureReason").asText()).contains(name + "-db");
        assertThat(stepStates(failed)).containsEntry("db", "failed").containsEntry("app", "skipped");
        assertThat(ownedNames(kube, namespace, deploymentId)).contains("Deployment/" + name + "-db")
                .doesNotContain("Deployment/" + name + "-app", "ConfigMap/" + name + "-app-config");
        JsonNode deployment = admin.get("/api/v1/deployments/" + deploymentId).expect(200);
        assertThat(deployment.path("status").asText()).isEqualTo("failed");
        assertThat(deployment.path("statusReason").asText()).contains("db");
    }

    @Test
    void driftIsReportedThenHealed(KubeCluster cluster) {
        HubWithAgent s = setUp(cluster, List.of());
        HubApi admin = s.admin();
        KubernetesClient kube = cluster.adminClient();
        String releaseId = admin.publishPackage(ServicePackages.redis()).expect(201).path("id").asText();
        String name = "drift-" + s.suffix();
        JsonNode created = admin.post("/api/v1/deployments", Map.of("environmentId", s.environmentId(),
                "releaseId", releaseId, "name", name, "parameters", REDIS_ON_KWOK)).expect(202);
        String deploymentId = created.path("deployment").path("id").asText();
        String namespace = created.path("deployment").path("namespace").asText();
        assertThat(created.path("deployment").path("driftPolicy").asText()).isEqualTo("report");
        awaitOperationSucceeded(admin, created.path("operation").path("id").asText(), s.agent());
        String replicas = name + "-redis-replicas";
        String config = name + "-redis-config";

        // report: an edit, a scale and a delete by someone else show on the deployment within 10 s;
        // nothing is undone.
        String master = name + "-redis-master";
        kube.apps().statefulSets().inNamespace(namespace).withName(master).edit(set -> {
            set.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("redis:6.0-edited");
            return set;
        });
        kube.apps().statefulSets().inNamespace(namespace).withName(replicas).scale(3);
        kube.configMaps().inNamespace(namespace).withName(config).delete();
        long editedAt = System.nanoTime();
        await("drift reported").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> {
            Map<String, JsonNode> drift = drift(admin, deploymentId);
            return drift.containsKey("StatefulSet/" + replicas) && drift.containsKey("ConfigMap/" + config)
                    && drift.containsKey("StatefulSet/" + master);
        });
        log("drift (edit + scale + delete) on GET /deployments after %d ms", millisSince(editedAt));
        Map<String, JsonNode> drift = drift(admin, deploymentId);
        assertThat(drift.get("StatefulSet/" + replicas).path("change").asText()).isEqualTo("modified");
        assertThat(drift.get("StatefulSet/" + replicas).path("fields").toString()).contains("spec.replicas");
        assertThat(drift.get("ConfigMap/" + config).path("change").asText()).isEqualTo("deleted");
        assertThat(drift.get("StatefulSet/" + master).path("fields").toString())
                .contains("spec.template.spec.containers[0].image");
        assertThat(admin.get("/api/v1/deployments/" + deploymentId).expect(200).path("driftedSince").isNull()).isFalse();
        assertThat(kube.apps().statefulSets().inNamespace(namespace).withName(replicas).get().getSpec().getReplicas())
                .isEqualTo(3);
        assertThat(kube.configMaps().inNamespace(namespace).withName(config).get()).isNull();

        // heal: the policy change is an apply (which puts everything back); later drift is undone by the agent.
        JsonNode heal = admin.patch("/api/v1/deployments/" + deploymentId, Map.of("driftPolicy", "heal")).expect(202);
        awaitOperationSucceeded(admin, heal.path("operation").path("id").asText(), s.agent());
        assertThat(kube.configMaps().inNamespace(namespace).withName(config).get()).isNotNull();
        assertThat(kube.apps().statefulSets().inNamespace(namespace).withName(replicas).get().getSpec().getReplicas())
                .isEqualTo(2);
        assertThat(kube.apps().statefulSets().inNamespace(namespace).withName(master).get().getSpec().getTemplate()
                .getSpec().getContainers().get(0).getImage()).isNotEqualTo("redis:6.0-edited");
        kube.apps().statefulSets().inNamespace(namespace).withName(replicas).scale(5);
        kube.configMaps().inNamespace(namespace).withName(config).delete();
        long healStart = System.nanoTime();
        await("drift healed").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() ->
                kube.configMaps().inNamespace(namespace).withName(config).get() != null
                        && kube.apps().statefulSets().inNamespace(namespace).withName(replicas).get().getSpec()
                                .getReplicas() == 2);
        log("drift healed in the cluster after %d ms", millisSince(healStart));
        await("healed drift reported").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> drift(admin, deploymentId).values().stream().anyMatch(d -> d.path("healed").asBoolean()));
    }

    @Test
    void killingTheHubThenTheAgentMidDeploymentNeverLeavesAnOperationStuck(KubeCluster cluster) {
        HubWithAgent s = setUp(cluster, List.of());
        HubApi admin = s.admin();
        KubernetesClient kube = cluster.adminClient();
        String releaseId = admin.publishPackage(ServicePackages.redis()).expect(201).path("id").asText();

        // kill -9 of the hub right after the create was accepted, then the hub starts again on its data.
        String first = "kill-hub-" + s.suffix();
        JsonNode created = admin.post("/api/v1/deployments", Map.of("environmentId", s.environmentId(),
                "releaseId", releaseId, "name", first, "parameters", REDIS_ON_KWOK)).expect(202);
        s.hub().kill9();
        s.hub().start();
        JsonNode afterHubKill = awaitOperationFinished(admin, created.path("operation").path("id").asText(), s.agent());
        log("after hub kill -9: operation %s (%s)", afterHubKill.path("status").asText(),
                afterHubKill.path("failureReason").asText());
        assertClusterMatches(admin, kube, created.path("deployment").path("id").asText(), afterHubKill, first);

        // kill -9 of the agent while it applies, then it starts again on its state.
        String second = "kill-agent-" + s.suffix();
        JsonNode next = admin.post("/api/v1/deployments", Map.of("environmentId", s.environmentId(),
                "releaseId", releaseId, "name", second, "parameters", REDIS_ON_KWOK)).expect(202);
        String operationId = next.path("operation").path("id").asText();
        await("agent working on it").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> !admin.get("/api/v1/operations/" + operationId).expect(200).path("status").asText()
                        .equals("pending"));
        s.agent().kill9();
        ChildProcess agent = s.restartAgent(cleanup, "agent-restarted");
        JsonNode afterAgentKill = awaitOperationFinished(admin, operationId, agent);
        log("after agent kill -9: operation %s (%s)", afterAgentKill.path("status").asText(),
                afterAgentKill.path("failureReason").asText());
        assertClusterMatches(admin, kube, next.path("deployment").path("id").asText(), afterAgentKill, second);
    }

    /** Succeeded: both StatefulSets Ready as the hub says; failed: a reason, and the deployment failed too. */
    private static void assertClusterMatches(HubApi admin, KubernetesClient kube, String deploymentId, JsonNode operation,
                                             String name) {
        JsonNode deployment = admin.get("/api/v1/deployments/" + deploymentId).expect(200);
        String namespace = deployment.path("namespace").asText();
        if (operation.path("status").asText().equals("succeeded")) {
            assertThat(deployment.path("status").asText()).isEqualTo("ready");
            assertReady(kube, namespace, name + "-redis-master", 1);
            assertReady(kube, namespace, name + "-redis-replicas", 2);
        } else {
            assertThat(operation.path("status").asText()).isEqualTo("failed");
            assertThat(operation.path("failureReason").asText()).isNotBlank();
            assertThat(deployment.path("status").asText()).isEqualTo("failed");
            assertThat(deployment.path("activeOperationId").isNull()).isTrue();
        }
    }

    private static Map<String, JsonNode> drift(HubApi admin, String deploymentId) {
        Map<String, JsonNode> byObject = new java.util.HashMap<>();
        admin.get("/api/v1/deployments/" + deploymentId).expect(200).path("drift")
                .forEach(d -> byObject.put(d.path("kind").asText() + "/" + d.path("name").asText(), d));
        return byObject;
    }

    // ---- helpers

    static JsonNode awaitOperationFinished(HubApi admin, String operationId) {
        return Operations.awaitFinished(admin, operationId, null);
    }

    static JsonNode awaitOperationFinished(HubApi admin, String operationId, ChildProcess agent) {
        return Operations.awaitFinished(admin, operationId, agent);
    }

    static void awaitOperationSucceeded(HubApi admin, String operationId, ChildProcess agent) {
        Operations.awaitSucceeded(admin, operationId, agent);
    }

    static Map<String, String> stepStates(JsonNode operation) {
        Map<String, String> states = new java.util.LinkedHashMap<>();
        operation.path("steps").forEach(step -> states.put(step.path("name").asText(), step.path("state").asText()));
        return states;
    }

    static List<JsonNode> items(JsonNode body) {
        JsonNode list = body.isArray() ? body : body.path("items");
        List<JsonNode> items = new ArrayList<>();
        list.forEach(items::add);
        return items;
    }

    /** Kind/name of every object of the deployment, found by the agent's label. */
    static List<String> ownedNames(KubernetesClient kube, String namespace, String deploymentId) {
        return Stream.of(List.of("v1", "ConfigMap"), List.of("v1", "Service"), List.of("v1", "Secret"),
                        List.of("apps/v1", "StatefulSet"), List.of("apps/v1", "Deployment"))
                .flatMap(kind -> kube.genericKubernetesResources(kind.get(0), kind.get(1)).inNamespace(namespace)
                        .withLabel(DEPLOYMENT_LABEL, deploymentId).list().getItems().stream())
                .map(o -> o.getKind() + "/" + o.getMetadata().getName()).sorted().toList();
    }

    static List<GenericKubernetesResource> ownedWorkloads(KubernetesClient kube, String namespace, String deploymentId) {
        if (kube.namespaces().withName(namespace).get() == null) {
            return List.of();
        }
        return Stream.of("Deployment", "StatefulSet")
                .flatMap(kind -> kube.genericKubernetesResources("apps/v1", kind).inNamespace(namespace)
                        .withLabel(DEPLOYMENT_LABEL, deploymentId).list().getItems().stream())
                .toList();
    }

    private static void assertReady(KubernetesClient kube, String namespace, String name, int replicas) {
        StatefulSet set = kube.apps().statefulSets().inNamespace(namespace).withName(name).get();
        assertThat(set).as("StatefulSet " + name).isNotNull();
        assertThat(set.getStatus().getReadyReplicas()).as("ready replicas of " + name).isEqualTo(replicas);
    }

    private static ConfigMap configMap(KubernetesClient kube, String namespace, String name) {
        return kube.configMaps().inNamespace(namespace).withName(name + "-redis-config").get();
    }

    private static String redisConf(KubernetesClient kube, String namespace, String name) {
        return configMap(kube, namespace, name).getData().get("redis.conf");
    }

    private static long millisSince(long nanoStart) {
        return Duration.ofNanos(System.nanoTime() - nanoStart).toMillis();
    }

    static void log(String format, Object... args) {
        System.out.printf("E2E: " + format + "%n", args);
    }
}
