package dev.outpost.e2e.packages;

import static dev.outpost.e2e.packages.PackageScenarios.awaitOperationSucceeded;
import static dev.outpost.e2e.packages.PackageScenarios.items;
import static dev.outpost.e2e.packages.PackageScenarios.log;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.e2e.support.Cleanup;
import dev.outpost.e2e.support.HubApi;
import dev.outpost.e2e.support.HubWithAgent;
import dev.outpost.e2e.support.ServicePackages;
import dev.outpost.e2e.support.TestDatabase;
import dev.outpost.testcluster.KubeCluster;
import dev.outpost.testcluster.KubeClusterExtension;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #8's contract end to end: concurrent PATCHes, Idempotency-Key, If-Match, refused packages and parameters.
 *
 * <p>One hub process and one enrolled agent process (per-deployment namespaces) serve every test of a
 * class, to keep the cost of starting them once; each test works on deployments of its own, so the
 * tests stay independent. Subclasses choose the hub's database.
 */
@ExtendWith(KubeClusterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class PackageContractScenarios {
    private static final String PROBLEM_JSON = "application/problem+json";
    private static final String DEPLOYMENT_LABEL = "outpost.dev/deployment";

    private final Cleanup cleanup = new Cleanup();
    private HubWithAgent setup;
    private HubApi admin;
    private KubernetesClient kube;
    private String redis;

    /** The database the hub under test runs on. */
    abstract TestDatabase database();

    @BeforeAll
    void startHubAndAgentAndPublishRedis(KubeCluster cluster, @TempDir Path work) {
        setup = HubWithAgent.start(cluster, database(), work, cleanup, List.of());
        admin = setup.admin();
        kube = cluster.adminClient();
        redis = admin.publishPackage(ServicePackages.redis()).expect(201).path("id").asText();
    }

    @AfterAll
    void stopEverything() throws Exception {
        cleanup.close();
    }

    @Test
    void twoConcurrentPatchesStartExactlyOneOperationAndTheClusterGetsTheWinnersReplicas() throws Exception {
        Deployed d = deployAndWait("race", redisReplicas(1));

        List<Integer> asked = List.of(2, 3);
        List<HubApi.Response> answers = race(asked.size(), i -> admin.patch("/api/v1/deployments/" + d.id(),
                Map.of("parameters", redisReplicas(asked.get(i)))));

        assertThat(answers).extracting(HubApi.Response::status).as("%s", answers).containsExactlyInAnyOrder(202, 409);
        int winner = answers.get(0).status() == 202 ? 0 : 1;
        HubApi.Response won = answers.get(winner);
        HubApi.Response lost = answers.get(1 - winner);
        String operationId = won.body().path("operation").path("id").asText();
        int replicas = asked.get(winner);
        log("concurrent PATCH: the loser got %d %s", lost.status(), lost.body());
        // api.md: "the other gets 409 (one operation per deployment at a time)", naming the one that runs.
        assertThat(lost.contentType()).startsWith(PROBLEM_JSON);
        assertThat(lost.body().path("detail").asText()).contains("has operation " + operationId + " pending or running");
        assertThat(operations(d.id())).extracting(o -> o.path("id").asText())
                .containsExactlyInAnyOrder(d.createOperationId(), operationId);

        awaitOperationSucceeded(admin, operationId, setup.agent());
        JsonNode deployment = admin.get("/api/v1/deployments/" + d.id()).expect(200);
        assertThat(deployment.path("parameters").path("replicas").asInt()).isEqualTo(replicas);
        assertThat(deployment.path("generation").asLong()).isEqualTo(2);
        StatefulSet set = kube.apps().statefulSets().inNamespace(d.namespace()).withName(d.name() + "-redis-replicas")
                .get();
        assertThat(set.getSpec().getReplicas()).as("the winning PATCH's replicas").isEqualTo(replicas);
        assertThat(set.getStatus().getReadyReplicas()).isEqualTo(replicas);
        assertThat(operations(d.id())).hasSize(2);
    }

    @Test
    void aRetriedCreateWithTheSameIdempotencyKeyCreatesOneDeploymentAndGetsTheSameAnswer() {
        String key = UUID.randomUUID().toString();
        String name = "retried-" + setup.suffix();
        Map<String, Object> body = Map.of("environmentId", setup.environmentId(), "releaseId", redis, "name", name,
                "parameters", redisStandalone());

        HubApi.Response first = admin.send("POST", "/api/v1/deployments", body, Map.of("Idempotency-Key", key));
        HubApi.Response retry = admin.send("POST", "/api/v1/deployments", body, Map.of("Idempotency-Key", key));

        assertThat(first.status()).as("%s", first).isEqualTo(202);
        assertThat(retry.status()).as("%s", retry).isEqualTo(202);
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(retry.header("Idempotency-Replayed")).isEqualTo("true");
        String id = first.body().path("deployment").path("id").asText();
        String operationId = first.body().path("operation").path("id").asText();
        assertThat(deploymentsNamed(name)).extracting(dep -> dep.path("id").asText()).containsExactly(id);

        // The same key with another body is a client's mistake, not a retry: refused, nothing made.
        String otherName = "other-" + setup.suffix();
        HubApi.Response other = admin.send("POST", "/api/v1/deployments", Map.of("environmentId",
                setup.environmentId(), "releaseId", redis, "name", otherName, "parameters", redisStandalone()),
                Map.of("Idempotency-Key", key));
        assertThat(other.status()).as("%s", other).isEqualTo(422);
        assertThat(other.contentType()).startsWith(PROBLEM_JSON);
        assertThat(other.body().path("detail").asText()).contains(key).contains("another body");
        assertThat(deploymentsNamed(otherName)).isEmpty();

        // The agent carries out the one deployment; a retry that comes late still replays the first answer.
        awaitOperationSucceeded(admin, operationId, setup.agent());
        HubApi.Response late = admin.send("POST", "/api/v1/deployments", body, Map.of("Idempotency-Key", key));
        assertThat(late.status()).isEqualTo(202);
        assertThat(late.body()).isEqualTo(first.body());
        assertThat(operations(id)).extracting(o -> o.path("id").asText()).containsExactly(operationId);
        assertThat(deploymentsNamed(name)).hasSize(1);
        String namespace = first.body().path("deployment").path("namespace").asText();
        assertThat(kube.apps().statefulSets().inNamespace(namespace).withLabel(DEPLOYMENT_LABEL, id).list().getItems())
                .extracting(s -> s.getMetadata().getName()).containsExactly(name + "-redis-master");
    }

    @Test
    void aStaleIfMatchOnPatchAndOnDeleteIsRefusedWith412AndChangesNothing() {
        Deployed d = deployAndWait("etag", redisStandalone());
        String path = "/api/v1/deployments/" + d.id();
        String stale = admin.get(path).header("ETag");
        assertThat(stale).isNotBlank();

        // Someone else changes it with the ETag they read: accepted, and the ETag moves on.
        Map<String, Object> withMaxMemory = new HashMap<>(redisStandalone());
        withMaxMemory.put("maxMemory", "128mb");
        JsonNode changed = admin.send("PATCH", path, Map.of("parameters", withMaxMemory), Map.of("If-Match", stale))
                .expect(202);
        awaitOperationSucceeded(admin, changed.path("operation").path("id").asText(), setup.agent());
        HubApi.Response read = admin.get(path);
        String current = read.header("ETag");
        assertThat(current).isNotEqualTo(stale);
        List<JsonNode> operationsBefore = operations(d.id());

        Map<String, Object> withLessMemory = new HashMap<>(redisStandalone());
        withLessMemory.put("maxMemory", "64mb");
        HubApi.Response stalePatch = admin.send("PATCH", path, Map.of("parameters", withLessMemory),
                Map.of("If-Match", stale));
        HubApi.Response staleDelete = admin.send("DELETE", path, null, Map.of("If-Match", stale));

        for (HubApi.Response refused : List.of(stalePatch, staleDelete)) {
            assertThat(refused.status()).as("%s", refused).isEqualTo(412);
            assertThat(refused.contentType()).startsWith(PROBLEM_JSON);
            assertThat(refused.body().path("detail").asText()).contains("changed since you read it");
        }
        assertThat(operations(d.id())).isEqualTo(operationsBefore);
        HubApi.Response after = admin.get(path);
        assertThat(after.header("ETag")).isEqualTo(current);
        assertThat(after.body().path("generation").asLong()).isEqualTo(2);
        assertThat(after.body().path("status").asText()).isEqualTo("ready");
        assertThat(after.body().path("parameters").path("maxMemory").asText()).isEqualTo("128mb");
        assertThat(redisConf(d)).contains("maxmemory 128mb");
        assertThat(kube.namespaces().withName(d.namespace()).get().getMetadata().getDeletionTimestamp()).isNull();

        // With the ETag read last, the same DELETE goes through: the 412 was the stale precondition.
        JsonNode deletion = admin.send("DELETE", path, null, Map.of("If-Match", current)).expect(202);
        awaitOperationSucceeded(admin, deletion.path("operation").path("id").asText(), setup.agent());
        assertThat(admin.get(path).expect(200).path("status").asText()).isEqualTo("deleted");
    }

    @Test
    void badPackagesAreRefusedNamingTheFileAndTheProblemAndNothingIsStored() {
        List<JsonNode> releasesBefore = items(admin.get("/api/v1/releases").expect(200));

        assertThat(refused("broken-chart")).anySatisfy(p -> {
            assertThat(p.file()).isEqualTo("chart/templates/service.yaml");
            assertThat(p.problem()).contains("helm lint");
        });
        assertThat(refused("cyclic")).containsExactly(
                new Problem("outpost.yaml", "components: dependsOn has a cycle: db → api → cache → db"));
        assertThat(refused("invalid-schema")).singleElement().satisfies(p -> {
            assertThat(p.file()).isEqualTo("outpost.yaml");
            assertThat(p.problem()).startsWith("parameters.properties.replicas.minimum:");
        });
        List<Problem> missing = refused("missing-file");
        assertThat(missing).extracting(Problem::file).containsExactly("charts/app", "manifests/extras.yaml");
        assertThat(missing).allSatisfy(p -> assertThat(p.problem()).startsWith("does not exist in the package"));
        List<Problem> notRendering = refused("values-do-not-render");
        assertThat(notRendering).anySatisfy(p -> {
            assertThat(p.file()).isEqualTo("chart/templates/deployment.yaml");
            assertThat(p.problem()).contains("does not render").contains("image.tag is required");
        });
        assertThat(notRendering).anySatisfy(p -> {
            assertThat(p.file()).isEqualTo("outpost.yaml");
            assertThat(p.problem()).contains("unknown reference plan.replicaz");
        });
        assertThat(refused("cluster-scoped")).anySatisfy(p -> {
            assertThat(p.file()).isEqualTo("chart");
            assertThat(p.problem()).contains("ClusterRole/clusterwide-reader, a cluster-scoped ClusterRole")
                    .contains("clusterScopedKinds");
        });

        assertThat(items(admin.get("/api/v1/releases").expect(200))).isEqualTo(releasesBefore);
    }

    @Test
    void badParametersAreRefusedWithEveryViolationOnCreateAndOnPatchAndNothingChanges() {
        String name = "bad-" + setup.suffix();
        String password = "chosen-by-the-caller-" + UUID.randomUUID();
        Map<String, Object> bad = Map.of("architecture", "cluster", "replicas", 0, "storageSize", "lots",
                "maxMemory", 5, "password", password, "colour", "blue");
        HubApi.Response create = admin.post("/api/v1/deployments", Map.of("environmentId", setup.environmentId(),
                "releaseId", redis, "name", name, "plan", "huge", "parameters", bad));

        assertViolations(create, "/plan", "/parameters/architecture", "/parameters/replicas",
                "/parameters/storageSize", "/parameters/maxMemory", "/parameters/password", "/parameters/colour");
        assertThat(create.body().toString()).doesNotContain(password);
        assertThat(deploymentsNamed(name)).isEmpty();
        assertThat(kube.namespaces().withName("op-" + name).get()).isNull();

        // On a running deployment: the same refusal, and the deployment and its objects stay as they are.
        Deployed d = deployAndWait("good", redisReplicas(2));
        JsonNode before = admin.get("/api/v1/deployments/" + d.id()).expect(200);
        HubApi.Response patch = admin.patch("/api/v1/deployments/" + d.id(), Map.of("plan", "huge", "parameters", bad));

        assertViolations(patch, "/plan", "/parameters/architecture", "/parameters/replicas",
                "/parameters/storageSize", "/parameters/maxMemory", "/parameters/password", "/parameters/colour");
        assertThat(operations(d.id())).extracting(o -> o.path("id").asText()).containsExactly(d.createOperationId());
        JsonNode after = admin.get("/api/v1/deployments/" + d.id()).expect(200);
        assertThat(after.path("generation")).isEqualTo(before.path("generation"));
        assertThat(after.path("parameters")).isEqualTo(before.path("parameters"));
        assertThat(after.path("plan")).isEqualTo(before.path("plan"));
        assertThat(kube.apps().statefulSets().inNamespace(d.namespace()).withName(d.name() + "-redis-replicas").get()
                .getSpec().getReplicas()).isEqualTo(2);
    }

    // ---- helpers

    /** A deployment whose create operation succeeded. */
    private record Deployed(String id, String name, String namespace, String createOperationId) {
    }

    private Deployed deployAndWait(String prefix, Map<String, Object> parameters) {
        String name = prefix + "-" + setup.suffix();
        JsonNode created = admin.post("/api/v1/deployments", Map.of("environmentId", setup.environmentId(),
                "releaseId", redis, "name", name, "parameters", parameters)).expect(202);
        String operationId = created.path("operation").path("id").asText();
        awaitOperationSucceeded(admin, operationId, setup.agent());
        return new Deployed(created.path("deployment").path("id").asText(), name,
                created.path("deployment").path("namespace").asText(), operationId);
    }

    /** What works on kwok: no persistence, as nothing provisions volumes there (docs/examples.md). */
    private static Map<String, Object> redisReplicas(int replicas) {
        return Map.of("architecture", "replication", "replicas", replicas, "persistence", false);
    }

    private static Map<String, Object> redisStandalone() {
        return Map.of("architecture", "standalone", "persistence", false);
    }

    private List<JsonNode> operations(String deploymentId) {
        return items(admin.get("/api/v1/operations?deploymentId=" + deploymentId).expect(200));
    }

    private List<JsonNode> deploymentsNamed(String name) {
        return items(admin.get("/api/v1/deployments?environmentId=" + setup.environmentId()).expect(200)).stream()
                .filter(d -> d.path("name").asText().equals(name)).toList();
    }

    private String redisConf(Deployed d) {
        return kube.configMaps().inNamespace(d.namespace()).withName(d.name() + "-redis-config").get().getData()
                .get("redis.conf");
    }

    /** One entry of a refused upload's {@code problems}. */
    private record Problem(String file, String problem) {
    }

    /** Uploads the hub's test package {@code name}: it must be refused with 422 problem+json; its problems. */
    private List<Problem> refused(String name) {
        HubApi.Response response = admin.publishPackage(ServicePackages.hubTestPackage(name));
        assertThat(response.status()).as("package %s: %s", name, response.body()).isEqualTo(422);
        assertThat(response.contentType()).startsWith(PROBLEM_JSON);
        List<Problem> problems = new ArrayList<>();
        response.body().path("problems").forEach(p -> problems.add(new Problem(p.path("file").asText(),
                p.path("problem").asText())));
        assertThat(response.body().path("detail").asText()).startsWith("the package was refused");
        log("package %s refused: %s", name, problems);
        return problems;
    }

    /** A 422 problem+json whose {@code errors} name exactly these JSON pointers. */
    private static void assertViolations(HubApi.Response response, String... pointers) {
        assertThat(response.status()).as("%s", response.body()).isEqualTo(422);
        assertThat(response.contentType()).startsWith(PROBLEM_JSON);
        List<String> fields = new ArrayList<>();
        response.body().path("errors").forEach(e -> {
            assertThat(e.path("message").asText()).as("message of %s", e).isNotBlank();
            fields.add(e.path("field").asText());
        });
        assertThat(fields).as("%s", response.body()).containsExactlyInAnyOrder(pointers);
    }

    /** Sends {@code n} requests at once (released together; request i is {@code call.call(i)}); answers in order. */
    private static List<HubApi.Response> race(int n, IndexedCall call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<HubApi.Response>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                Callable<HubApi.Response> task = () -> {
                    start.await();
                    return call.call(index);
                };
                futures.add(pool.submit(task));
            }
            start.countDown();
            List<HubApi.Response> answers = new ArrayList<>();
            for (Future<HubApi.Response> future : futures) {
                answers.add(future.get());
            }
            return answers;
        } finally {
            pool.shutdownNow();
        }
    }

    private interface IndexedCall {
        HubApi.Response call(int index) throws Exception;
    }
}
