package dev.outpost.hub.access;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.hub.enrollment.EnrollmentStore;
import dev.outpost.hub.enrollment.NewAgent;
import dev.outpost.hub.testsupport.Api;
import dev.outpost.hub.testsupport.HubTestProperties;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The access matrix, generated from the API description: every /api/v1 operation, called by a token
 * of every role, on objects of another tenant (B) than the tenant roles' own (A). What each role may
 * do is written out here from docs/api.md ("Roles"), apart from the hub's own table; which capability
 * an operation needs comes from its {@code x-outpost-capability}. Expected: 403 when the role lacks
 * the capability (whether or not the object exists); otherwise never 403, 404 for a tenant role on a
 * tenant-B object, and lists of a tenant role never show tenant B. Subclasses pick the database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractAccessMatrixIT implements TestPropertyProvider {
    static final String ADMIN = "opa_" + "am".repeat(16);
    /** What each role may do, as docs/api.md states it. */
    private static final Map<String, Set<String>> MAY = Map.of(
            "admin", Set.of("read-tenants", "read", "read-usage", "read-telemetry", "deploy", "environments",
                    "onboard", "publish", "read-audit", "verify-audit", "manage-tokens"),
            "operator", Set.of("read-tenants", "read", "read-usage", "read-telemetry", "deploy", "environments",
                    "onboard", "publish"),
            "sre", Set.of("read-tenants", "read", "read-usage", "read-telemetry", "read-audit", "verify-audit"),
            "billing", Set.of("read-tenants", "read-usage"),
            "tenant-admin", Set.of("read-tenants", "read", "read-usage", "read-telemetry", "read-audit", "deploy",
                    "environments"),
            "tenant-viewer", Set.of("read-tenants", "read", "read-usage", "read-telemetry", "read-audit"));
    /** Path prefixes whose objects belong to a tenant (releases and packages are the vendor's). */
    private static final List<String> TENANT_OWNED = List.of("/api/v1/tenants/{id}", "/api/v1/environments/{",
            "/api/v1/agents/{id}", "/api/v1/deployments/{id}", "/api/v1/operations/{id}", "/api/v1/rollouts/{id}");

    @Inject
    EmbeddedServer server;
    @Inject
    EnrollmentStore enrollment;

    private Api api;
    /** Role to token; the tenant roles' tokens are tenant A's. */
    private final Map<String, String> tokens = new LinkedHashMap<>();
    private final Map<String, String> tenantB = new LinkedHashMap<>();

    /** Database-specific properties (outpost.db-url and friends, or nothing for H2). */
    abstract Map<String, String> databaseProperties();

    @Override
    public Map<String, String> getProperties() {
        return HubTestProperties.with(databaseProperties(), ADMIN);
    }

    @BeforeAll
    void tenantsAndTokens() {
        api = new Api(server.getURI());
        String tenantA = id(api.post("/api/v1/tenants", ADMIN, Map.of("name", "a-" + suffix())), 201);
        String b = id(api.post("/api/v1/tenants", ADMIN, Map.of("name", "b-" + suffix())), 201);
        String env = id(api.post("/api/v1/environments", ADMIN, Map.of("tenantId", b, "name", "prod", "cloud", "aws",
                "region", "eu-west-1", "clusterName", "b")), 201);
        JsonNode joinToken = api.post("/api/v1/environments/" + env + "/join-tokens", ADMIN, Map.of()).json();
        String agent = "agent-" + suffix();
        enrollment.register(enrollment.check(joinToken.get("token").asText()), new NewAgent(agent, "0a1b2c",
                Instant.now().plus(Duration.ofDays(30)), "0.1.0", "v1.36.3", 1, "kind"));
        String release = id(api.post("/api/v1/releases", ADMIN, Map.of("serviceName", "svc-" + suffix(), "version",
                "1.0.0", "manifests", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n", "defaultParameters",
                Map.of())), 201);
        JsonNode deployed = api.post("/api/v1/deployments", ADMIN, Map.of("environmentId", env, "releaseId", release,
                "name", "app")).json();
        String serviceName = api.get("/api/v1/releases/" + release, ADMIN).json().get("serviceName").asText();
        String next = id(api.post("/api/v1/releases", ADMIN, Map.of("serviceName", serviceName, "version", "2.0.0",
                "manifests", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n", "defaultParameters",
                Map.of())), 201);
        tenantB.put("rollout", id(api.post("/api/v1/rollouts", ADMIN, Map.of("releaseId", next, "tenantId", b)), 201));
        tenantB.put("tenant", b);
        tenantB.put("environment", env);
        tenantB.put("joinToken", joinToken.get("id").asText());
        tenantB.put("agent", agent);
        tenantB.put("release", release);
        tenantB.put("deployment", deployed.at("/deployment/id").asText());
        tenantB.put("operation", deployed.at("/operation/id").asText());
        tenantB.put("tenantToken", id(api.post("/api/v1/tenants/" + b + "/tokens", ADMIN, Map.of("name", "b")), 201));
        for (String role : List.of("tenant-viewer", "tenant-admin", "billing", "sre", "operator")) {
            Map<String, Object> body = new LinkedHashMap<>(Map.of("name", role + " of the matrix", "role", role));
            if (role.startsWith("tenant-")) {
                body.put("tenantId", tenantA);
            }
            tokens.put(role, api.post("/api/v1/tokens", ADMIN, body).json().get("token").asText());
        }
        tokens.put("admin", ADMIN); // last: its changes (deletes, revocations) come after everyone else's calls
        tenantB.put("apiToken", id(api.post("/api/v1/tokens", ADMIN, Map.of("name", "victim", "role", "sre")), 201));
    }

    @Test
    void everyOperationAnswersEveryRoleAsItsCapabilityAndTenantSay() {
        SoftAssertions softly = new SoftAssertions();
        List<String> checked = new ArrayList<>();
        for (Map.Entry<String, String> role : tokens.entrySet()) {
            for (Operation op : operations()) {
                Api.Response response = api.send(op.method(), op.request(tenantB), role.getValue(), op.body(),
                        op.contentType(), Map.of());
                String what = role.getKey() + " " + op.method() + " " + op.template() + " (" + op.capability() + ") -> "
                        + response.status() + " " + (response.json() == null ? "" : response.json().path("detail").asText());
                checked.add(what);
                boolean may = MAY.get(role.getKey()).contains(op.capability());
                boolean tenantRole = role.getKey().startsWith("tenant-");
                if (!may) {
                    softly.assertThat(response.status()).as(what).isEqualTo(403);
                    continue;
                }
                softly.assertThat(response.status()).as(what).isNotIn(401, 403);
                if (tenantRole && op.onTenantObject()) {
                    softly.assertThat(response.status()).as(what + ": tenant B's object looks absent").isEqualTo(404);
                }
                if (tenantRole && response.status() == 200 && response.raw().body() != null) {
                    for (String key : List.of("tenant", "environment", "agent", "deployment", "operation", "rollout")) {
                        softly.assertThat(response.raw().body()).as(what + " shows tenant B's " + key)
                                .doesNotContain(tenantB.get(key));
                    }
                }
            }
        }
        assertThat(checked).as("operations x roles").hasSize(operations().size() * tokens.size());
        softly.assertAll();
    }

    @Test
    void aTokenRevokedOrExpiredIsRefusedLikeAnUnknownOne() {
        JsonNode issued = api.post("/api/v1/tokens", ADMIN, Map.of("name", "short", "role", "sre", "ttlSeconds", 1)).json();
        JsonNode revoked = api.post("/api/v1/tokens", ADMIN, Map.of("name", "gone", "role", "sre")).json();
        assertThat(api.get("/api/v1/tenants", revoked.get("token").asText()).status()).isEqualTo(200);
        assertThat(api.delete("/api/v1/tokens/" + revoked.get("id").asText(), ADMIN).status()).isEqualTo(204);

        assertThat(api.get("/api/v1/tenants", revoked.get("token").asText()).status()).isEqualTo(401);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(200))
                .until(() -> api.get("/api/v1/tenants", issued.get("token").asText()).status() == 401);
        JsonNode listed = api.get("/api/v1/tokens", ADMIN).json();
        assertThat(listed.toString()).contains(issued.get("id").asText()).doesNotContain(revoked.get("id").asText())
                .doesNotContain(issued.get("token").asText());
    }

    /** One documented /api/v1 operation and how the matrix calls it. */
    private record Operation(String method, String template, String capability, boolean listByTenant, String contentType) {
        String request(Map<String, String> b) {
            String path = template
                    .replace("/tenants/{id}/tokens/{tokenId}", "/tenants/" + b.get("tenant") + "/tokens/" + b.get("tenantToken"))
                    .replace("/join-tokens/{tokenId}", "/join-tokens/" + b.get("joinToken"))
                    .replace("/tenants/{id}", "/tenants/" + b.get("tenant"))
                    .replace("/environments/{id}", "/environments/" + b.get("environment"))
                    .replace("{environmentId}", b.get("environment"))
                    .replace("/agents/{id}", "/agents/" + b.get("agent"))
                    .replace("/releases/{id}", "/releases/" + b.get("release"))
                    .replace("/deployments/{id}", "/deployments/" + b.get("deployment"))
                    .replace("/operations/{id}", "/operations/" + b.get("operation"))
                    .replace("/rollouts/{id}", "/rollouts/" + b.get("rollout"))
                    .replace("/tokens/{id}", "/tokens/" + b.get("apiToken"));
            assertThat(path).as(template + ": every path parameter has an object").doesNotContain("{");
            return listByTenant ? path + "?tenantId=" + b.get("tenant") : path;
        }

        String body() {
            return contentType == null ? null : contentType.contains("json") ? "{}" : "";
        }

        boolean onTenantObject() {
            return TENANT_OWNED.stream().anyMatch(template::startsWith);
        }
    }

    private static List<Operation> operations() {
        List<Operation> operations = new ArrayList<>();
        for (Map.Entry<String, tools.jackson.databind.JsonNode> path : Api.CONTRACT.document().path("paths").properties()) {
            if (!path.getKey().startsWith("/api/v1/") || path.getKey().equals("/api/v1/openapi.yaml")) {
                continue;
            }
            for (String method : List.of("get", "post", "put", "patch", "delete")) {
                tools.jackson.databind.JsonNode op = path.getValue().path(method);
                if (op.isMissingNode()) {
                    continue;
                }
                assertThat(op.path("x-outpost-capability").asString()).as(method + " " + path.getKey()).isNotEmpty();
                boolean byTenant = op.path("parameters").toString().contains("TenantIdQuery");
                List<String> types = List.copyOf(op.path("requestBody").path("content").propertyNames());
                operations.add(new Operation(method.toUpperCase(java.util.Locale.ROOT), path.getKey(),
                        op.path("x-outpost-capability").asString(), byTenant, types.isEmpty() ? null : types.getFirst()));
            }
        }
        return operations;
    }

    private static String id(Api.Response response, int status) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        return response.json().get("id").asText();
    }

    private static String suffix() {
        return UUID.randomUUID().toString().substring(0, 8);
    }
}
