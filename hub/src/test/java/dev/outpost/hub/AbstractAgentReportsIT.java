package dev.outpost.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.hub.agents.AgentPresence;
import dev.outpost.hub.enrollment.EnrollmentStore;
import dev.outpost.hub.enrollment.NewAgent;
import dev.outpost.hub.testsupport.Api;
import dev.outpost.hub.testsupport.HubTestProperties;
import dev.outpost.protocol.fixtures.ReleaseFixture;
import dev.outpost.protocol.v1.AgentCondition;
import dev.outpost.protocol.v1.AgentState;
import dev.outpost.protocol.v1.ClusterFacts;
import dev.outpost.protocol.v1.Hello;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What the hub does with what an agent reports about itself (allowed namespaces, condition, an
 * unknown node count): deployments to other namespaces are refused, and operations say why they wait.
 * The agent side is the same store path the gateway calls on Hello and Heartbeat; subclasses pick the
 * database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractAgentReportsIT implements TestPropertyProvider {
    private static final String ADMIN = "opa_" + "ar".repeat(16);
    private static final Instant SINCE = Instant.parse("2026-12-03T06:00:00Z");

    @Inject
    EmbeddedServer server;
    @Inject
    EnrollmentStore enrollment;
    @Inject
    AgentPresence presence;

    private Api api;

    /** Database-specific properties (outpost.db-url and friends, or nothing for H2). */
    abstract Map<String, String> databaseProperties();

    @Override
    public Map<String, String> getProperties() {
        return HubTestProperties.with(databaseProperties(), ADMIN);
    }

    @BeforeAll
    void client() {
        api = new Api(server.getURI());
    }

    @Test
    void aNamespaceTheAgentMayNotTouchIsRefusedWith422ListingWhatIsAllowed() {
        String env = environment();
        String agentId = enrol(env);
        presence.connected(agentId, "replica-1", hello(List.of("acme-apps", "acme-data"), ready()));
        String release = release();

        Api.Response refused = deploy(env, release, "cache", "kube-system");
        assertThat(refused.status()).as(refused.toString()).isEqualTo(422);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.json().get("detail").asText()).isEqualTo("namespace 'kube-system' is not one the agent of "
                + "environment " + env + " may touch; allowed: acme-apps, acme-data");
        assertThat(refused.json().at("/errors/0/field").asText()).isEqualTo("/namespace");
        assertThat(refused.json().at("/errors/0/message").asText())
                .isEqualTo("must be one of the agent's namespaces: acme-apps, acme-data");

        Api.Response defaulted = deploy(env, release, "cache", null);
        assertThat(defaulted.status()).as(defaulted.toString()).isEqualTo(422);
        assertThat(defaulted.json().get("detail").asText()).startsWith("the default namespace 'default' (no namespace was given)");
        assertThat(defaulted.json().at("/errors/0/field").asText()).isEqualTo("/namespace");

        // Nothing was written for either.
        assertThat(api.get("/api/v1/deployments?environmentId=" + env, ADMIN).json()).isEmpty();

        Api.Response allowed = deploy(env, release, "cache", "acme-data");
        assertThat(allowed.status()).as(allowed.toString()).isEqualTo(202);
        assertThat(allowed.json().at("/operation/waitingReason").isNull()).isTrue(); // the agent is online and ready
    }

    @Test
    void anyNamespaceIsAcceptedWhileNoAgentHasToldItsNamespaces() {
        String env = environment();
        String release = release();
        // No agent at all: accepted, and the operation says what it waits for from the first answer on.
        Api.Response created = deploy(env, release, "first", null);
        assertThat(created.status()).as(created.toString()).isEqualTo(202);
        String expected = "no agent has enrolled in environment " + env
                + " (create a join token for it and start an agent with it)";
        assertThat(created.json().at("/operation/waitingReason").asText()).isEqualTo(expected);
        String operation = created.json().at("/operation/id").asText();
        assertThat(api.get("/api/v1/operations/" + operation, ADMIN).json().get("waitingReason").asText()).isEqualTo(expected);
        assertThat(api.get("/api/v1/deployments/" + created.json().at("/deployment/id").asText(), ADMIN).json()
                .get("statusReason").asText()).isEqualTo(expected);

        // An older agent, whose Hello names no namespaces: still accepted (the agent refuses the command later).
        String agentId = enrol(env);
        presence.connected(agentId, "replica-1", Hello.newBuilder().setAgentVersion("0.1.0").build());
        assertThat(deploy(env, release, "second", "anything").status()).isEqualTo(202);
        JsonNode agent = api.get("/api/v1/agents/" + agentId, ADMIN).json();
        assertThat(agent.get("allowedNamespaces").isNull()).isTrue();
        assertThat(agent.get("condition").isNull()).isTrue();
        assertThat(api.get("/api/v1/operations/" + operation, ADMIN).json().get("waitingReason").isNull()).isTrue();
    }

    @Test
    void anOperationForAnOfflineOrDegradedAgentSaysWhatItWaitsFor() {
        String env = environment();
        String agentId = enrol(env);
        String release = release();
        Api.Response created = deploy(env, release, "cache", "apps");
        String operation = created.json().at("/operation/id").asText();
        String deployment = created.json().at("/deployment/id").asText();
        assertThat(created.json().at("/operation/waitingReason").asText())
                .startsWith("waiting for agent " + agentId + " (enrolled at ").endsWith(", never connected since)");

        presence.connected(agentId, "replica-1", hello(List.of("apps"), ready()));
        assertThat(operationJson(operation).get("waitingReason").isNull()).isTrue();
        presence.disconnected(agentId, "replica-1");
        JsonNode agent = api.get("/api/v1/agents/" + agentId, ADMIN).json();
        String offline = "waiting for agent " + agentId + " (offline since " + agent.get("lastSeenAt").asText() + ")";
        assertThat(operationJson(operation).get("waitingReason").asText()).isEqualTo(offline);
        assertThat(api.get("/api/v1/deployments/" + deployment, ADMIN).json().get("statusReason").asText()).isEqualTo(offline);
        assertThat(api.get("/api/v1/operations?deploymentId=" + deployment, ADMIN).json().get(0)
                .get("waitingReason").asText()).isEqualTo(offline);

        // Online again but unable to act: the heartbeat's condition is shown on the agent, the
        // environment and the waiting operation.
        AgentCondition degraded = AgentCondition.newBuilder().setState(AgentState.AGENT_STATE_DEGRADED)
                .setReason("the API server at https://10.0.0.1:6443/ does not answer: connection refused")
                .setSinceUnixMs(SINCE.toEpochMilli()).build();
        assertThat(presence.heartbeat(agentId, "replica-1", degraded)).isTrue();
        agent = api.get("/api/v1/agents/" + agentId, ADMIN).json();
        assertThat(agent.get("status").asText()).isEqualTo("online");
        assertThat(agent.at("/condition/state").asText()).isEqualTo("degraded");
        assertThat(agent.at("/condition/reason").asText()).isEqualTo(degraded.getReason());
        assertThat(Instant.parse(agent.at("/condition/since").asText())).isEqualTo(SINCE);
        JsonNode environment = api.get("/api/v1/environments/" + env, ADMIN).json();
        assertThat(environment.get("agentStatus").asText()).isEqualTo("online");
        assertThat(environment.at("/agentCondition/state").asText()).isEqualTo("degraded");
        assertThat(operationJson(operation).get("waitingReason").asText()).startsWith("waiting for agent " + agentId
                + " (degraded since ").endsWith(": " + degraded.getReason() + ")");

        // A heartbeat without a condition changes nothing; a ready one clears the reason.
        presence.heartbeat(agentId, "replica-1", null);
        assertThat(api.get("/api/v1/agents/" + agentId, ADMIN).json().at("/condition/state").asText()).isEqualTo("degraded");
        presence.heartbeat(agentId, "replica-1", ready());
        agent = api.get("/api/v1/agents/" + agentId, ADMIN).json();
        assertThat(agent.at("/condition/state").asText()).isEqualTo("ready");
        assertThat(agent.at("/condition/reason").isNull()).isTrue();
        assertThat(operationJson(operation).get("waitingReason").isNull()).isTrue();
    }

    @Test
    void aNodeCountTheAgentCouldNotReadIsUnknownNotZero() {
        String env = environment();
        String agentId = enrol(env);
        presence.connected(agentId, "replica-1", hello(List.of("apps"), ready()));
        JsonNode agent = api.get("/api/v1/agents/" + agentId, ADMIN).json();
        assertThat(agent.get("nodeCount").isNull()).as(agent.toString()).isTrue();
        assertThat(agent.get("allowedNamespaces")).hasSize(1);

        presence.connected(agentId, "replica-1", Hello.newBuilder().setAgentVersion("0.2.0")
                .setCluster(ClusterFacts.newBuilder().setKubernetesVersion("v1.36.3").setNodeCount(0)).build());
        assertThat(api.get("/api/v1/agents/" + agentId, ADMIN).json().get("nodeCount").asInt()).isZero(); // told: 0
    }

    private JsonNode operationJson(String id) {
        return api.get("/api/v1/operations/" + id, ADMIN).json();
    }

    private static Hello hello(List<String> namespaces, AgentCondition condition) {
        return Hello.newBuilder().setAgentVersion("0.2.0")
                .setCluster(ClusterFacts.newBuilder().setKubernetesVersion("v1.36.3")) // node count unset: unknown
                .addAllAllowedNamespaces(namespaces).setCondition(condition).build();
    }

    private static AgentCondition ready() {
        return AgentCondition.newBuilder().setState(AgentState.AGENT_STATE_READY).setSinceUnixMs(SINCE.toEpochMilli()).build();
    }

    private Api.Response deploy(String env, String release, String name, String namespace) {
        Map<String, Object> body = new HashMap<>(Map.of("environmentId", env, "releaseId", release, "name", name,
                "parameters", Map.of("name", name)));
        if (namespace != null) {
            body.put("namespace", namespace);
        }
        return api.post("/api/v1/deployments", ADMIN, body);
    }

    private String environment() {
        Api.Response tenant = api.post("/api/v1/tenants", ADMIN, Map.of("name", "tenant-" + suffix()));
        assertThat(tenant.status()).as(tenant.toString()).isEqualTo(201);
        Api.Response env = api.post("/api/v1/environments", ADMIN, Map.of("tenantId", tenant.json().get("id").asText(),
                "name", "env-" + suffix(), "cloud", "aws", "region", "eu-west-1", "clusterName", "prod"));
        assertThat(env.status()).as(env.toString()).isEqualTo(201);
        return env.json().get("id").asText();
    }

    private String enrol(String env) {
        String token = api.post("/api/v1/environments/" + env + "/join-tokens", ADMIN, Map.of()).json().get("token").asText();
        String agentId = "agent-" + suffix();
        enrollment.register(enrollment.check(token), new NewAgent(agentId, "0a1b2c",
                Instant.now().plus(Duration.ofDays(30)), "0.2.0", "v1.36.3", null, ""));
        return agentId;
    }

    private String release() {
        ReleaseFixture fixture = ReleaseFixture.redisV1();
        Api.Response response = api.post("/api/v1/releases", ADMIN, Map.of("serviceName", "redis-" + suffix(),
                "version", fixture.version(), "manifests", fixture.manifests(), "defaultParameters", fixture.defaults()));
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return response.json().get("id").asText();
    }

    private static String suffix() {
        return UUID.randomUUID().toString().substring(0, 8);
    }
}
