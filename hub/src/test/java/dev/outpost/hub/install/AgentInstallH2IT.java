package dev.outpost.hub.install;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.hub.testsupport.Api;
import dev.outpost.hub.testsupport.HubTestProperties;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * GET /api/v1/environments/{id}/install against a running hub: the commands and the agent chart
 * rendered with the hub's address, CA and the caller's join token, which stays usable; refusals for a
 * bad token and another tenant's environment.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentInstallH2IT implements TestPropertyProvider {
    static final String ADMIN = "opa_" + "in".repeat(16);

    @Inject
    EmbeddedServer server;

    Api api;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> properties = new java.util.HashMap<>(HubTestProperties.with(Map.of(), ADMIN));
        properties.put("outpost.grpc-hostnames", "hub.vendor.example,127.0.0.1");
        return properties;
    }

    @BeforeAll
    void client() {
        api = new Api(server.getURI());
    }

    record Env(String tenantId, String id, String joinToken, String caHash, int gatewayPort) {
    }

    @Test
    void theInstallRendersTheAgentChartWithTheHubsAddressCaAndTokenAndLeavesTheTokenUnused() {
        Env env = environment();

        Api.Response install = api.get(installPath(env, env.joinToken(), "namespaces=shop,shop-jobs&agentNamespace=acme-outpost"), ADMIN);

        assertThat(install.status()).as(install.toString()).isEqualTo(200);
        JsonNode body = install.json();
        String hub = "hub.vendor.example:" + env.gatewayPort();
        assertThat(body.get("hub").asText()).isEqualTo(hub);
        assertThat(body.get("caHash").asText()).isEqualTo(env.caHash());
        assertThat(body.get("namespaces")).extracting(JsonNode::asText).containsExactly("shop", "shop-jobs");
        assertThat(body.get("installCommand").asText()).isEqualTo("OUTPOST_JOIN_TOKEN=" + env.joinToken()
                + " ./installer-scripts/install-agent.sh --hub " + hub + " --ca-hash " + env.caHash()
                + " --namespace acme-outpost --namespaces shop,shop-jobs");
        assertThat(body.get("helmCommand").asText()).contains("helm upgrade --install outpost-agent charts/outpost-agent",
                "--namespace acme-outpost", "--set-string hub.address=" + hub, "'namespaces={shop,shop-jobs}'");

        List<Map<String, Object>> objects = objects(body.get("manifest").asText());
        assertThat(objects).extracting(o -> o.get("kind") + "/" + namespace(o)).contains(
                "Deployment/acme-outpost", "ServiceAccount/acme-outpost", "Secret/acme-outpost",
                "Role/shop", "Role/shop-jobs", "RoleBinding/shop", "RoleBinding/shop-jobs");
        assertThat(objects).extracting(o -> String.valueOf(o.get("kind"))).doesNotContain("ClusterRole", "ClusterRoleBinding");
        assertThat(body.get("manifest").asText()).contains(env.joinToken(), hub, env.caHash());

        // handing out the install does not use the token up: the agent still enrols with it
        List<JsonNode> tokens = new ArrayList<>();
        api.get("/api/v1/environments/" + env.id() + "/join-tokens", ADMIN).json().forEach(tokens::add);
        assertThat(tokens).singleElement().satisfies(t -> assertThat(t.get("used").asInt()).isZero());
    }

    @Test
    void withoutNamespacesTheAgentCreatesANamespacePerDeployment() {
        Env env = environment();

        JsonNode body = api.get(installPath(env, env.joinToken(), ""), ADMIN).json();

        assertThat(body.get("agentNamespace").asText()).isEqualTo("outpost");
        assertThat(body.get("namespaces")).isEmpty();
        assertThat(body.get("helmCommand").asText()).contains("--set namespaceMode=per-deployment");
        assertThat(objects(body.get("manifest").asText())).extracting(o -> String.valueOf(o.get("kind")))
                .contains("ClusterRole", "ClusterRoleBinding").doesNotContain("Role");
    }

    @Test
    void aBadTokenOrNamespaceIsRefusedWithTheReason() {
        Env env = environment();
        Env other = environment();
        String secretless = env.joinToken().substring(0, env.joinToken().indexOf('.')) + ".wrong";

        assertProblem(api.get(installPath(env, "", ""), ADMIN), 400, "token");
        assertProblem(api.get(installPath(env, "no-dot", ""), ADMIN), 422, "malformed");
        assertProblem(api.get(installPath(env, secretless, ""), ADMIN), 422, "unknown");
        assertProblem(api.get(installPath(env, other.joinToken(), ""), ADMIN), 422, "another environment");
        assertProblem(api.get(installPath(env, env.joinToken(), "namespaces=Shop_1"), ADMIN), 400, "Shop_1");
        assertProblem(api.get(installPath(env, env.joinToken(), "namespaces=" + "a,".repeat(130) + "a"), ADMIN), 400,
                "at most 256 characters");
        api.delete("/api/v1/environments/" + env.id() + "/join-tokens/" + env.joinToken().substring(0, env.joinToken().indexOf('.')), ADMIN);
        assertProblem(api.get(installPath(env, env.joinToken(), ""), ADMIN), 422, "expired");
    }

    @Test
    void aTenantTokenGetsOnlyItsOwnEnvironmentsInstall() {
        Env mine = environment();
        Env theirs = environment();
        String token = tenantToken(mine.tenantId());

        assertThat(api.get(installPath(mine, mine.joinToken(), ""), token).status()).isEqualTo(200);
        assertThat(api.get(installPath(theirs, theirs.joinToken(), ""), token).status()).isEqualTo(404);
        assertThat(api.get(installPath(mine, mine.joinToken(), ""), null).status()).isEqualTo(401);
    }

    private static void assertProblem(Api.Response response, int status, String reason) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.json().toString()).contains(reason);
    }

    private static String installPath(Env env, String token, String more) {
        return "/api/v1/environments/" + env.id() + "/install?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)
                + (more.isEmpty() ? "" : "&" + more);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> objects(String manifest) {
        List<Map<String, Object>> objects = new ArrayList<>();
        new Yaml(new LoaderOptions()).loadAll(manifest).forEach(o -> {
            if (o != null) {
                objects.add((Map<String, Object>) o);
            }
        });
        return objects;
    }

    @SuppressWarnings("unchecked")
    private static String namespace(Map<String, Object> object) {
        return String.valueOf(((Map<String, Object>) object.get("metadata")).get("namespace"));
    }

    private Env environment() {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        Api.Response tenant = api.post("/api/v1/tenants", ADMIN, Map.of("name", "tenant-" + suffix));
        String tenantId = tenant.json().get("id").asText();
        Api.Response env = api.post("/api/v1/environments", ADMIN, Map.of("tenantId", tenantId,
                "name", "env-" + suffix, "cloud", "aws", "region", "eu-west-1", "clusterName", "prod"));
        assertThat(env.status()).as(env.toString()).isEqualTo(201);
        String id = env.json().get("id").asText();
        Api.Response token = api.post("/api/v1/environments/" + id + "/join-tokens", ADMIN, Map.of("uses", 1));
        assertThat(token.status()).as(token.toString()).isEqualTo(201);
        return new Env(tenantId, id, token.json().get("token").asText(), token.json().get("caFingerprint").asText(),
                token.json().get("gatewayPort").asInt());
    }

    private String tenantToken(String tenantId) {
        Api.Response token = api.post("/api/v1/tenants/" + tenantId + "/tokens", ADMIN, Map.of("name", "t"));
        assertThat(token.status()).as(token.toString()).isEqualTo(201);
        return token.json().get("token").asText();
    }
}
