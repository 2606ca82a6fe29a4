package dev.outpost.e2e.bench;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.e2e.support.AgentProcess;
import dev.outpost.e2e.support.AgentSandbox;
import dev.outpost.e2e.support.AgentsOnline;
import dev.outpost.e2e.support.ChildProcess;
import dev.outpost.e2e.support.Cleanup;
import dev.outpost.e2e.support.HubApi;
import dev.outpost.e2e.support.HubProcess;
import dev.outpost.e2e.support.ServicePackages;
import dev.outpost.e2e.support.TestDatabase;
import dev.outpost.testcluster.KubeCluster;
import dev.outpost.testcluster.KubeClusterExtension;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Benchmark, not a test (no *IT/*Test suffix, so the suite never runs it): {@code examples/redis}
 * (replication, 2 replicas, no persistence) deployed by an agent process, its resident memory sampled
 * every 100 ms while it applies, against the same objects applied by a plain fabric8 server-side
 * apply loop into a fresh namespace, round after round. Run it with
 * {@code ./mvnw -B -o -q install -DskipTests && ./mvnw -B -o -pl e2e verify -Dit.test=PackageApplyBenchmark -Dfailsafe.failIfNoSpecifiedTests=false}
 * (optionally {@code -Doutpost.bench.rounds=5}); the numbers are the {@code BENCH} lines. The agent's time
 * is what a user waits for (hub render and plan, dispatch, namespace, apply, health gate, result seen by
 * polling every 100 ms); the plain loop's time includes making its namespace too.
 */
@ExtendWith(KubeClusterExtension.class)
class PackageApplyBenchmark {
    private static final String DEPLOYMENT_LABEL = "outpost.dev/deployment";
    /** What works on kwok: no persistence, as nothing provisions volumes there (docs/examples.md). */
    private static final Map<String, Object> REDIS_ON_KWOK =
            Map.of("architecture", "replication", "replicas", 2, "persistence", false);
    /** The kinds {@code examples/redis} renders (the count of objects read back is printed). */
    private static final List<List<String>> KINDS = List.of(List.of("v1", "ConfigMap"), List.of("v1", "Secret"),
            List.of("v1", "Service"), List.of("apps/v1", "StatefulSet"), List.of("apps/v1", "Deployment"));
    private static final Duration PATIENCE = Duration.ofMinutes(3);
    private static final Duration POLL = Duration.ofMillis(100);

    @TempDir
    Path work;

    private final Cleanup cleanup = new Cleanup();

    @AfterEach
    void stopEverything() throws Exception {
        cleanup.close();
    }

    /** One round's numbers: agent (create to succeeded, RSS) and the plain loop. */
    private record Round(long agentMillis, long answeredMillis, long rssBeforeKib, long rssPeakKib, long rssAfterKib, long plainMillis,
                         int objects) {
    }

    @Test
    void agentApplyAgainstPlainServerSideApply(KubeCluster cluster) throws Exception {
        int rounds = Integer.getInteger("outpost.bench.rounds", 3);
        TestDatabase database = cleanup.track(TestDatabase.embeddedH2());
        HubProcess hub = cleanup.track(new HubProcess(work.resolve("hub-data"), database,
                "opa_bench-" + UUID.randomUUID()).start());
        HubApi admin = new HubApi(hub.baseUrl(), hub.adminToken());
        String tenantId = admin.post("/api/v1/tenants", Map.of("name", "bench")).expect(201).path("id").asText();
        String environmentId = admin.post("/api/v1/environments", Map.of("tenantId", tenantId, "name", "bench",
                "cloud", "other", "region", "local", "clusterName", "bench")).expect(201).path("id").asText();
        JsonNode token = admin.post("/api/v1/environments/" + environmentId + "/join-tokens", Map.of()).expect(201);
        String agentNamespace = cluster.newNamespace("outpost");
        Path kubeconfig = AgentSandbox.preparePerDeployment(cluster, agentNamespace, work.resolve("customer"));
        ChildProcess agent = cleanup.track(AgentProcess.start("agent", hub, token.path("token").asText(),
                token.path("caFingerprint").asText(), work.resolve("agent-state"), kubeconfig, agentNamespace,
                List.of("--namespace-mode", "per-deployment")));
        AgentsOnline.await(admin, environmentId, agent);
        String releaseId = admin.publishPackage(ServicePackages.redis()).expect(201).path("id").asText();
        KubernetesClient kube = cluster.adminClient();

        List<Round> results = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            Round result = round(admin, kube, agent, environmentId, releaseId, round);
            results.add(result);
            System.out.printf("BENCH round %d: agent create->succeeded %d ms (create answered in %d ms; rss before "
                            + "%d KiB, peak %d KiB, after %d KiB); plain fabric8 SSA loop of the same %d objects -> Ready "
                            + "%d ms%n", round, result.agentMillis(), result.answeredMillis(), result.rssBeforeKib(), result.rssPeakKib(), result.rssAfterKib(),
                    result.objects(), result.plainMillis());
        }
        System.out.printf("BENCH median of %d rounds: agent %d ms (create answered %d ms), plain loop %d ms; agent rss "
                        + "before %d KiB, peak %d KiB, after %d KiB%n", rounds, median(results, Round::agentMillis),
                median(results, Round::answeredMillis), median(results, Round::plainMillis),
                median(results, Round::rssBeforeKib), median(results, Round::rssPeakKib),
                median(results, Round::rssAfterKib));
    }

    /** Deploy through the agent (sampling RSS), read the objects back, delete, then the plain loop. */
    private Round round(HubApi admin, KubernetesClient kube, ChildProcess agent, String environmentId,
                        String releaseId, int round) throws Exception {
        String name = "bench-" + round + "-" + UUID.randomUUID().toString().substring(0, 5);
        long rssBefore = rssKib(agent.pid());
        AtomicLong peak = new AtomicLong(rssBefore);
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        long agentMillis;
        long answeredMillis;
        String deploymentId;
        String namespace;
        try {
            sampler.scheduleAtFixedRate(() -> peak.accumulateAndGet(rssKibOrZero(agent.pid()), Math::max),
                    0, 100, TimeUnit.MILLISECONDS);
            long start = System.nanoTime();
            JsonNode created = admin.post("/api/v1/deployments", Map.of("environmentId", environmentId,
                    "releaseId", releaseId, "name", name, "plan", "small", "parameters", REDIS_ON_KWOK)).expect(202);
            answeredMillis = millisSince(start);
            Map<String, Long> stepsDone = new LinkedHashMap<>();
            awaitSucceeded(admin, created.path("operation").path("id").asText(), agent, start, stepsDone);
            agentMillis = millisSince(start);
            // where the time goes, to within the 100 ms polling: when the hub first showed each step succeeded
            System.out.printf("BENCH round %d: steps first seen succeeded (ms after the create request): %s%n", round,
                    stepsDone);
            deploymentId = created.path("deployment").path("id").asText();
            namespace = created.path("deployment").path("namespace").asText();
        } finally {
            sampler.shutdownNow();
        }
        long rssAfter = rssKib(agent.pid());
        peak.accumulateAndGet(rssAfter, Math::max);

        List<GenericKubernetesResource> objects = readBack(kube, namespace, deploymentId);
        JsonNode deletion = admin.delete("/api/v1/deployments/" + deploymentId).expect(202);
        awaitSucceeded(admin, deletion.path("operation").path("id").asText(), agent, System.nanoTime(), new LinkedHashMap<>());
        awaitGone(kube, namespace);

        String plainNamespace = "plain-" + name;
        long plainMillis = plainApply(kube, plainNamespace, objects);
        kube.namespaces().withName(plainNamespace).delete();
        awaitGone(kube, plainNamespace);
        return new Round(agentMillis, answeredMillis, rssBefore, peak.get(), rssAfter, plainMillis, objects.size());
    }

    /** The timed plain loop: the namespace, every object by server-side apply, then StatefulSets Ready. */
    private static long plainApply(KubernetesClient kube, String namespace, List<GenericKubernetesResource> objects) {
        long start = System.nanoTime();
        kube.resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
                .fieldManager("bench").forceConflicts().serverSideApply();
        for (GenericKubernetesResource object : objects) {
            object.getMetadata().setNamespace(namespace);
            kube.resource(object).inNamespace(namespace).fieldManager("bench").forceConflicts().serverSideApply();
        }
        await("StatefulSets in " + namespace + " Ready").atMost(PATIENCE).pollInterval(POLL).until(() ->
                kube.apps().statefulSets().inNamespace(namespace).list().getItems().stream()
                        .allMatch(PackageApplyBenchmark::ready));
        return millisSince(start);
    }

    private static boolean ready(StatefulSet set) {
        Integer want = set.getSpec().getReplicas();
        Integer have = set.getStatus() == null ? null : set.getStatus().getReadyReplicas();
        return have != null && have.equals(want == null ? 1 : want);
    }

    /**
     * The deployment's objects as the agent left them, by its label, with what the API server adds
     * removed (a Service's cluster IP is cluster-wide, so it cannot be applied again elsewhere).
     */
    private static List<GenericKubernetesResource> readBack(KubernetesClient kube, String namespace,
                                                            String deploymentId) {
        return KINDS.stream()
                .flatMap(kind -> kube.genericKubernetesResources(kind.get(0), kind.get(1)).inNamespace(namespace)
                        .withLabel(DEPLOYMENT_LABEL, deploymentId).list().getItems().stream())
                .map(PackageApplyBenchmark::asManifest)
                .toList();
    }

    @SuppressWarnings("unchecked")
    private static GenericKubernetesResource asManifest(GenericKubernetesResource live) {
        GenericKubernetesResource manifest = new GenericKubernetesResource();
        manifest.setApiVersion(live.getApiVersion());
        manifest.setKind(live.getKind());
        ObjectMeta meta = new ObjectMeta();
        meta.setName(live.getMetadata().getName());
        meta.setLabels(live.getMetadata().getLabels());
        meta.setAnnotations(live.getMetadata().getAnnotations());
        manifest.setMetadata(meta);
        live.getAdditionalProperties().forEach((key, value) -> {
            if (!key.equals("status")) {
                manifest.setAdditionalProperty(key, value);
            }
        });
        if (manifest.getAdditionalProperties().get("spec") instanceof Map<?, ?> spec && live.getKind().equals("Service")) {
            ((Map<String, Object>) spec).remove("clusterIP");
            ((Map<String, Object>) spec).remove("clusterIPs");
        }
        return manifest;
    }



    /** Waits for the operation to succeed, noting in {@code stepsDone} when each step was first seen succeeded. */
    private static void awaitSucceeded(HubApi admin, String operationId, ChildProcess agent, long start,
                                       Map<String, Long> stepsDone) {
        JsonNode[] last = new JsonNode[1];
        await("operation " + operationId).atMost(PATIENCE).pollInterval(POLL).until(() -> {
            last[0] = admin.get("/api/v1/operations/" + operationId).expect(200);
            last[0].path("steps").forEach(step -> {
                if (step.path("state").asText().equals("succeeded")) {
                    stepsDone.putIfAbsent(step.path("name").asText(), millisSince(start));
                }
            });
            String status = last[0].path("status").asText();
            if (status.equals("failed")) {
                throw new IllegalStateException("operation failed: " + last[0] + "\n" + agent.logTail());
            }
            return status.equals("succeeded");
        });
    }

    private static void awaitGone(KubernetesClient kube, String namespace) {
        await("namespace " + namespace + " gone").atMost(PATIENCE).pollInterval(Duration.ofMillis(500))
                .until(() -> kube.namespaces().withName(namespace).get() == null);
    }

    private static long median(List<Round> rounds, java.util.function.ToLongFunction<Round> number) {
        long[] sorted = rounds.stream().mapToLong(number).sorted().toArray();
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    private static long millisSince(long nanoStart) {
        return Duration.ofNanos(System.nanoTime() - nanoStart).toMillis();
    }

    private static long rssKibOrZero(long pid) {
        try {
            return rssKib(pid);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static long rssKib(long pid) throws IOException {
        try (Stream<String> lines = Files.lines(Path.of("/proc/" + pid + "/status"))) {
            return lines.filter(line -> line.startsWith("VmRSS:"))
                    .mapToLong(line -> Long.parseLong(line.replaceAll("\\D", "")))
                    .findFirst().orElseThrow();
        }
    }
}
