package dev.outpost.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.e2e.support.AgentProcess;
import dev.outpost.e2e.support.AgentSandbox;
import dev.outpost.e2e.support.ChildProcess;
import dev.outpost.e2e.support.Cleanup;
import dev.outpost.e2e.support.HubApi;
import dev.outpost.e2e.support.HubProcess;
import dev.outpost.e2e.support.TestDatabase;
import dev.outpost.protocol.fixtures.ReleaseFixture;
import dev.outpost.testcluster.KubeCluster;
import dev.outpost.testcluster.KubeClusterExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A customer's first start of the agent, across processes: an agent that cannot work in its cluster
 * stops before it sends the join token (the token stays unused, no agent is registered); once its
 * RBAC is right it enrols, tells the hub its namespaces (the hub refuses others) and, when it loses
 * its permissions, shows as degraded with the reason.
 */
@ExtendWith(KubeClusterExtension.class)
class AgentOnboardingIT {
    @TempDir
    Path work;

    private final Cleanup cleanup = new Cleanup();

    @AfterEach
    void stopEverything() throws Exception {
        cleanup.close();
    }

    @Test
    void aFailingClusterCheckKeepsTheTokenThenTheAgentReportsNamespacesAndCondition(KubeCluster cluster) {
        HubProcess hub = cleanup.track(new HubProcess(work.resolve("hub-data"), cleanup.track(TestDatabase.embeddedH2()),
                "opa_e2e-" + UUID.randomUUID()).start());
        HubApi admin = new HubApi(hub.baseUrl(), hub.adminToken());
        String tenantId = admin.post("/api/v1/tenants", Map.of("name", "acme")).expect(201).path("id").asText();
        String environmentId = admin.post("/api/v1/environments", Map.of("tenantId", tenantId, "name", "prod",
                "cloud", "aws", "region", "eu-west-1", "clusterName", "acme-prod")).expect(201).path("id").asText();
        ReleaseFixture redis = ReleaseFixture.redisV1();
        String releaseId = admin.post("/api/v1/releases", Map.of("serviceName", redis.serviceName(), "version",
                redis.version(), "manifests", redis.manifests(), "defaultParameters", redis.defaults()))
                .expect(201).path("id").asText();
        JsonNode joinToken = admin.post("/api/v1/environments/" + environmentId + "/join-tokens",
                Map.of("ttlSeconds", 600, "uses", 1)).expect(201);
        String token = joinToken.path("token").asText();
        String caFingerprint = joinToken.path("caFingerprint").asText();

        // The customer's RBAC covers one namespace, but the agent is started for a second one too.
        String namespace = cluster.newNamespace("acme");
        String forgotten = cluster.newNamespace("acme");
        Path kubeconfig = AgentSandbox.prepare(cluster, namespace, work.resolve("customer"));
        long started = System.nanoTime();
        ChildProcess refused = cleanup.track(AgentProcess.start("agent-missing-rbac", hub, token, caFingerprint,
                work.resolve("refused-state"), kubeconfig, namespace + "," + forgotten));
        assertThat(refused.awaitExit(Duration.ofSeconds(60))).as(refused.logTail()).isEqualTo(3);
        System.out.printf("[e2e] agent with missing RBAC exited in %d ms (process start included)%n",
                Duration.ofNanos(System.nanoTime() - started).toMillis());
        assertThat(refused.output()).contains("the join token was not used")
                .contains("namespace " + forgotten + ": the agent may do nothing there")
                .doesNotContain("Enrolling");

        List<JsonNode> tokens = items(admin.get("/api/v1/environments/" + environmentId + "/join-tokens").expect(200));
        assertThat(tokens).singleElement().satisfies(t -> assertThat(t.path("used").asInt()).isZero());
        assertThat(items(admin.get("/api/v1/agents?environmentId=" + environmentId).expect(200))).isEmpty();
        // Nothing enrolled yet: an operation says what it waits for, and any namespace is accepted.
        JsonNode early = admin.post("/api/v1/deployments", Map.of("environmentId", environmentId, "releaseId", releaseId,
                "name", "early", "namespace", forgotten, "parameters", Map.of("name", "early"))).expect(202);
        assertThat(early.path("operation").path("waitingReason").asText())
                .startsWith("no agent has enrolled in environment " + environmentId);
        admin.post("/api/v1/operations/" + early.path("operation").path("id").asText() + "/cancel", Map.of()).expect(200);

        // Started for the namespace it may work in, the same token enrols it.
        ChildProcess agent = cleanup.track(AgentProcess.start("agent", hub, token, caFingerprint, work.resolve("agent-state"),
                kubeconfig, namespace));
        JsonNode online = awaitAgent(admin, environmentId, agent, a -> "online".equals(a.path("status").asText()));
        assertThat(online.path("allowedNamespaces")).extracting(JsonNode::asText).containsExactly(namespace);
        assertThat(online.path("condition").path("state").asText()).isEqualTo("ready");
        assertThat(online.path("nodeCount").isNull()).as(online.toString()).isTrue(); // the Role cannot list nodes
        // ...which the agent says once, quietly, with the permission that would add it; no 403 body.
        assertThat(agent.output()).containsOnlyOnce("may not list nodes").contains("cluster-facts-clusterrole.yaml")
                .doesNotContain("Forbidden!");

        // The hub refuses what the agent could not do: the default namespace and any other.
        HubApi.Response defaulted = admin.post("/api/v1/deployments", Map.of("environmentId", environmentId,
                "releaseId", releaseId, "name", "cache", "parameters", Map.of("name", "cache")));
        assertThat(defaulted.status()).as(defaulted.body().toString()).isEqualTo(422);
        assertThat(defaulted.body().at("/errors/0/field").asText()).isEqualTo("/namespace");
        assertThat(defaulted.body().path("detail").asText()).endsWith("allowed: " + namespace);
        admin.post("/api/v1/deployments", Map.of("environmentId", environmentId, "releaseId", releaseId,
                "name", "cache", "namespace", namespace, "parameters", Map.of("name", "cache"))).expect(202);

        // The customer removes the agent's RoleBinding: within a recheck the hub shows it degraded, and why.
        cluster.adminClient().rbac().roleBindings().inNamespace(namespace).withName("outpost-agent").delete();
        JsonNode degraded = awaitAgent(admin, environmentId, agent,
                a -> "degraded".equals(a.path("condition").path("state").asText()));
        assertThat(degraded.path("status").asText()).isEqualTo("online");
        assertThat(degraded.path("condition").path("reason").asText())
                .startsWith("namespace " + namespace + ": the agent may do nothing there");
        assertThat(admin.get("/api/v1/environments/" + environmentId).expect(200).path("agentCondition").path("state")
                .asText()).isEqualTo("degraded");
    }

    private static JsonNode awaitAgent(HubApi admin, String environmentId, ChildProcess agent,
            java.util.function.Predicate<JsonNode> condition) {
        JsonNode[] found = new JsonNode[1];
        await("agent").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() -> {
            if (!agent.isAlive()) {
                throw new IllegalStateException("the agent exited\n" + agent.logTail());
            }
            for (JsonNode a : items(admin.get("/api/v1/agents?environmentId=" + environmentId).expect(200))) {
                if (condition.test(a)) {
                    found[0] = a;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    private static List<JsonNode> items(JsonNode body) {
        List<JsonNode> items = new ArrayList<>();
        (body.isArray() ? body : body.path("items")).forEach(items::add);
        return items;
    }

}
