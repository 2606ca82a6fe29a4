package dev.outpost.e2e.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.e2e.support.HubApi;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * The vendor's side of a fleet test, through the hub's REST API ({@link HubApi}): one tenant, one
 * environment and single-use join token per simulated agent, a tiny manifests release, and a
 * deployment of it in every environment.
 */
public final class FleetVendor {
    /** A namespace every simulated agent accepts (they send no allowed namespaces, as "not told"). */
    public static final String NAMESPACE = "fleet-apps";
    static final String MANIFESTS = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: {{ name }}
            data:
              greeting: {{ greeting }}
            """;

    private final HubApi admin;
    private final String tenantId;
    private final Map<Integer, String> environments = new ConcurrentHashMap<>();
    private final Map<Integer, String> deployments = new ConcurrentHashMap<>();
    private final Map<String, Long> generations = new ConcurrentHashMap<>();
    private volatile String lastRolloutId;

    /** A command the vendor asked for: the deployment, its generation, the operation and when it was asked. */
    public record Request(String deploymentId, long generation, String operationId, long askedNanos) {
        public String key() {
            return FleetCounters.key(deploymentId, generation);
        }
    }

    public FleetVendor(HubApi admin, String tenantName) {
        this.admin = admin;
        this.tenantId = admin.post("/api/v1/tenants", Map.of("name", tenantName)).expect(201).path("id").asText();
    }

    public String tenantId() {
        return tenantId;
    }

    /** For agent {@code index}: a new environment of the tenant and a single-use join token to it. */
    public FleetSimulator.Invitation invite(int index) {
        String environmentId = admin.post("/api/v1/environments", Map.of("tenantId", tenantId, "name", "env-" + index,
                "cloud", "other", "region", "loopback", "clusterName", "sim-" + index)).expect(201).path("id").asText();
        environments.put(index, environmentId);
        JsonNode token = admin.post("/api/v1/environments/" + environmentId + "/join-tokens",
                Map.of("ttlSeconds", 900, "uses", 1)).expect(201);
        return new FleetSimulator.Invitation(token.path("token").asText(), token.path("caFingerprint").asText());
    }

    /** A manifests release of one ConfigMap; {@code greeting} is its default parameter. */
    public String release(String version, String greeting) {
        return admin.post("/api/v1/releases", Map.of("serviceName", "fleet-tiny", "version", version,
                "manifests", MANIFESTS, "defaultParameters", Map.of("name", "tiny", "greeting", greeting)))
                .expect(201).path("id").asText();
    }

    /** Deploys {@code releaseId} to every invited environment, {@code parallelism} requests at a time. */
    public List<Request> deployEverywhere(String releaseId, int parallelism) throws InterruptedException {
        return forEachEnvironment(parallelism, index -> {
            long asked = System.nanoTime();
            JsonNode created = admin.post("/api/v1/deployments", Map.of("environmentId", environments.get(index),
                    "releaseId", releaseId, "name", "tiny", "namespace", NAMESPACE)).expect(202);
            String deploymentId = created.path("deployment").path("id").asText();
            deployments.put(index, deploymentId);
            long generation = created.path("deployment").path("generation").asLong(1);
            generations.put(deploymentId, generation);
            return new Request(deploymentId, generation, created.path("operation").path("id").asText(), asked);
        });
    }

    /** Upgrades every deployment to {@code releaseId}, {@code parallelism} requests at a time. */
    public List<Request> upgradeEverywhere(String releaseId, int parallelism) throws InterruptedException {
        return forEachEnvironment(parallelism, index -> {
            long asked = System.nanoTime();
            String deploymentId = deployments.get(index);
            JsonNode changed = admin.patch("/api/v1/deployments/" + deploymentId, Map.of("releaseId", releaseId))
                    .expect(202);
            JsonNode deployment = changed.has("deployment") ? changed.path("deployment")
                    : admin.get("/api/v1/deployments/" + deploymentId).expect(200);
            String operationId = changed.has("operation") ? changed.path("operation").path("id").asText()
                    : changed.path("id").asText();
            generations.put(deploymentId, deployment.path("generation").asLong());
            return new Request(deploymentId, deployment.path("generation").asLong(), operationId, asked);
        });
    }

    /**
     * Upgrades every deployment of the tenant to {@code releaseId} with one request, a rollout; the
     * requests it returns name each deployment's next generation (their operation ids are the hub's).
     */
    public List<Request> rolloutEverywhere(String releaseId) {
        long asked = System.nanoTime();
        JsonNode rollout = admin.post("/api/v1/rollouts", Map.of("releaseId", releaseId, "tenantId", tenantId))
                .expect(201);
        if (rollout.path("targets").asLong() != deployments.size() || rollout.path("skipped").asLong() != 0) {
            throw new IllegalStateException("the rollout did not start one update per deployment: " + rollout);
        }
        lastRolloutId = rollout.path("id").asText();
        List<Request> requests = new ArrayList<>();
        for (String deploymentId : deployments.values()) {
            long generation = generations.merge(deploymentId, 1L, Long::sum);
            requests.add(new Request(deploymentId, generation, "", asked));
        }
        return requests;
    }

    /** The last rollout as the hub shows it now. */
    public JsonNode lastRollout() {
        return admin.get("/api/v1/rollouts/" + lastRolloutId).expect(200);
    }

    /** Revokes an agent (POST /api/v1/agents/{id}/revoke); returns its status as the hub answers it. */
    public String revoke(String agentId) {
        return admin.post("/api/v1/agents/" + agentId + "/revoke", Map.of()).expect(200).path("status").asText();
    }

    /** How many of the tenant's agents the hub shows online now. */
    public long agentsOnline() {
        return agentsOnlineSince(Instant.EPOCH);
    }

    /** How many of the tenant's agents the hub shows online and last seen after {@code since}. */
    public long agentsOnlineSince(Instant since) {
        JsonNode agents = admin.get("/api/v1/agents?tenantId=" + tenantId).expect(200);
        long online = 0;
        for (JsonNode agent : agents) {
            if ("online".equals(agent.path("status").asText()) && agent.path("lastSeenAt").isTextual()
                    && Instant.parse(agent.path("lastSeenAt").asText()).isAfter(since)) {
                online++;
            }
        }
        return online;
    }

    /** The tenant's operations by status, e.g. {succeeded=200}. */
    public Map<String, Integer> operationsByStatus() {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        for (JsonNode operation : admin.get("/api/v1/operations?tenantId=" + tenantId).expect(200)) {
            counts.merge(operation.path("status").asText(), 1, Integer::sum);
        }
        return counts;
    }

    private List<Request> forEachEnvironment(int parallelism, IntFunction<Request> request) throws InterruptedException {
        ExecutorService workers = Executors.newFixedThreadPool(parallelism);
        try {
            List<Future<Request>> futures = new ArrayList<>();
            for (int index : environments.keySet().stream().sorted().toList()) {
                futures.add(workers.submit(() -> request.apply(index)));
            }
            List<Request> requests = new ArrayList<>();
            for (Future<Request> future : futures) {
                try {
                    requests.add(future.get());
                } catch (ExecutionException e) {
                    throw new IllegalStateException("a request to the hub failed: " + e.getCause(), e.getCause());
                }
            }
            return requests;
        } finally {
            workers.shutdownNow();
        }
    }
}
