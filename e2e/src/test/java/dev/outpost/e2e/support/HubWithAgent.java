package dev.outpost.e2e.support;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.testcluster.KubeCluster;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;

/** A hub process, a tenant environment, and an enrolled agent process that creates a namespace per deployment. */
public record HubWithAgent(HubProcess hub, HubApi admin, String environmentId, ChildProcess agent, String suffix,
                           Path kubeconfig, String agentNamespace, List<String> agentOptions, Path agentState,
                           String agentDials) {

    /**
     * Starts a hub on {@code database} with its data under {@code work}, creates a tenant and an
     * environment, prepares the customer's side (agent/rbac, per-deployment mode) and starts an agent
     * with {@code moreAgentOptions}; returns once the hub sees the agent online. The database, the hub
     * and the agent are tracked by {@code cleanup}.
     */
    public static HubWithAgent start(KubeCluster cluster, TestDatabase database, Path work, Cleanup cleanup,
                                     List<String> moreAgentOptions) {
        return start(cluster, database, work, cleanup, moreAgentOptions, UnaryOperator.identity());
    }

    /**
     * As above, with the agent dialling {@code route} of the hub's gateway address instead of the
     * address itself (a {@link TcpProxy} in front of the hub).
     */
    public static HubWithAgent start(KubeCluster cluster, TestDatabase database, Path work, Cleanup cleanup,
                                     List<String> moreAgentOptions, UnaryOperator<String> route) {
        return start(cluster, database, work, cleanup, moreAgentOptions, route, Map.of());
    }

    /** As above, with {@code hubEnvironment} (OUTPOST_* settings) for the hub process. */
    public static HubWithAgent start(KubeCluster cluster, TestDatabase database, Path work, Cleanup cleanup,
                                     List<String> moreAgentOptions, UnaryOperator<String> route,
                                     Map<String, String> hubEnvironment) {
        cleanup.track(database);
        HubProcess hub = cleanup.track(new HubProcess(work.resolve("hub-data"), database,
                "opa_e2e-" + UUID.randomUUID()).withEnvironment(hubEnvironment).start());
        HubApi admin = new HubApi(hub.baseUrl(), hub.adminToken());
        String suffix = database.kind().toLowerCase() + "-" + UUID.randomUUID().toString().substring(0, 5);
        String tenantId = admin.post("/api/v1/tenants", Map.of("name", "pkg-" + suffix)).expect(201).path("id").asText();
        String environmentId = admin.post("/api/v1/environments", Map.of("tenantId", tenantId, "name", "prod",
                "cloud", "aws", "region", "eu-west-1", "clusterName", "pkg-" + suffix)).expect(201).path("id").asText();
        JsonNode joinToken = admin.post("/api/v1/environments/" + environmentId + "/join-tokens",
                Map.of("ttlSeconds", 600, "uses", 1)).expect(201);
        String agentNamespace = cluster.newNamespace("outpost");
        Path kubeconfig = AgentSandbox.preparePerDeployment(cluster, agentNamespace, work.resolve("customer"));
        List<String> options = new ArrayList<>(List.of("--namespace-mode", "per-deployment"));
        options.addAll(moreAgentOptions);
        Path agentState = work.resolve("agent-state");
        String agentDials = route.apply(hub.gatewayAddress());
        ChildProcess agent = cleanup.track(AgentProcess.start("agent", agentDials, joinToken.path("token").asText(),
                joinToken.path("caFingerprint").asText(), agentState, kubeconfig, agentNamespace, options));
        AgentsOnline.await(admin, environmentId, agent);
        return new HubWithAgent(hub, admin, environmentId, agent, suffix, kubeconfig, agentNamespace, options,
                agentState, agentDials);
    }

    /** The same agent started again on its state (its identity is there: no join token), tracked by {@code cleanup}. */
    public ChildProcess restartAgent(Cleanup cleanup, String name) {
        return cleanup.track(AgentProcess.start(name, agentDials, null, null, agentState, kubeconfig, agentNamespace,
                agentOptions));
    }


}
