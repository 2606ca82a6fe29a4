package dev.outpost.hub.releases;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.hub.testsupport.Api;
import dev.outpost.hub.testsupport.HubTestProperties;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Deprecating and yanking releases through a running hub: what each status still allows deployments
 * to do, that yanking is final, and that the catalogue keeps showing every release with its status.
 * Subclasses pick the database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractReleaseLifecycleIT implements TestPropertyProvider {
    private static final String ADMIN = "opa_" + "lifecycle".repeat(4);
    private static final String MANIFESTS = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n"
            + "data:\n  replicas: \"{{ replicas }}\"\n";

    @Inject
    EmbeddedServer server;

    private Api api;
    private String environmentId;

    /** Database-specific properties (outpost.db-url and friends, or nothing for H2). */
    abstract Map<String, String> databaseProperties();

    @Override
    public Map<String, String> getProperties() {
        return HubTestProperties.with(databaseProperties(), ADMIN);
    }

    @BeforeAll
    void setUp() {
        api = new Api(server.getURI());
        String tenantId = ok(api.post("/api/v1/tenants", ADMIN, Map.of("name", "lifecycle-" + suffix())), 201)
                .get("id").asText();
        environmentId = ok(api.post("/api/v1/environments", ADMIN, Map.of("tenantId", tenantId, "name", "prod",
                "cloud", "aws", "region", "eu-west-1", "clusterName", "prod")), 201).get("id").asText();
    }

    @Test
    void aNewReleaseIsAnActiveManifestsReleaseWithoutPackage() {
        JsonNode release = api.get("/api/v1/releases/" + release(), ADMIN).json();

        assertThat(release.get("kind").asText()).isEqualTo("manifests");
        assertThat(release.get("status").asText()).isEqualTo("active");
        assertThat(release.get("statusReason").isNull()).isTrue();
        assertThat(release.get("package").isNull()).isTrue();
        assertThat(api.download("/api/v1/releases/" + release.get("id").asText() + "/archive", ADMIN).status())
                .as("a manifests release has no archive").isEqualTo(409);
    }

    @Test
    void aDeprecatedReleaseRefusesNewDeploymentsButItsDeploymentsCanStillBeUpdatedAndDeleted() {
        String releaseId = release();
        String deploymentId = unlocked(deploy(releaseId)).get("id").asText();

        JsonNode deprecated = ok(api.post("/api/v1/releases/" + releaseId + "/deprecate", ADMIN,
                Map.of("reason", "superseded by 2.0.0")), 200);
        assertThat(deprecated.get("status").asText()).isEqualTo("deprecated");
        assertThat(deprecated.get("statusReason").asText()).isEqualTo("superseded by 2.0.0");
        assertThat(deprecated.get("statusChangedAt").isNull()).isFalse();

        Api.Response refused = api.post("/api/v1/deployments", ADMIN, newDeployment(releaseId));
        assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
        assertThat(refused.json().get("detail").asText()).contains(releaseId, "is deprecated", "superseded by 2.0.0",
                "no new deployments");

        JsonNode updated = ok(api.patch("/api/v1/deployments/" + deploymentId, ADMIN,
                Map.of("parameters", Map.of("replicas", "3"))), 202);
        assertThat(updated.at("/operation/type").asText()).isEqualTo("update");
        cancel(updated);

        ok(api.post("/api/v1/releases/" + releaseId + "/undeprecate", ADMIN, Map.of()), 200);
        ok(api.post("/api/v1/deployments", ADMIN, newDeployment(releaseId)), 202);
    }

    @Test
    void movingAnExistingDeploymentToADeprecatedReleaseIsANewUseAndRefused() {
        String from = release();
        String to = release();
        String deploymentId = unlocked(deploy(from)).get("id").asText();
        ok(send("POST", "/api/v1/releases/" + to + "/deprecate", null), 200); // no body: no reason

        Api.Response refused = api.patch("/api/v1/deployments/" + deploymentId, ADMIN, Map.of("releaseId", to));

        assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
        assertThat(refused.json().get("detail").asText()).contains(to, "is deprecated");
    }

    @Test
    void aYankedReleaseRefusesNewDeploymentsAndUpdatesWithTheReasonButNotDeletes() {
        String releaseId = release();
        String deploymentId = unlocked(deploy(releaseId)).get("id").asText();

        JsonNode yanked = ok(api.post("/api/v1/releases/" + releaseId + "/yank", ADMIN,
                Map.of("reason", "CVE-2026-1234 in the image")), 200);
        assertThat(yanked.get("status").asText()).isEqualTo("yanked");

        Api.Response create = api.post("/api/v1/deployments", ADMIN, newDeployment(releaseId));
        assertThat(create.status()).as(create.toString()).isEqualTo(409);
        assertThat(create.json().get("detail").asText()).contains("was yanked", "CVE-2026-1234 in the image");
        Api.Response update = api.patch("/api/v1/deployments/" + deploymentId, ADMIN,
                Map.of("parameters", Map.of("replicas", "2")));
        assertThat(update.status()).as(update.toString()).isEqualTo(409);
        assertThat(update.json().get("detail").asText()).contains("was yanked", "CVE-2026-1234 in the image");

        JsonNode deleted = ok(api.delete("/api/v1/deployments/" + deploymentId, ADMIN), 202);
        assertThat(deleted.at("/operation/type").asText()).isEqualTo("delete");
    }

    @Test
    void yankingIsFinalAndTheYankedReleaseStaysInTheCatalogue() {
        String releaseId = release();
        ok(api.post("/api/v1/releases/" + releaseId + "/yank", ADMIN, Map.of("reason", "broken")), 200);

        JsonNode again = ok(api.post("/api/v1/releases/" + releaseId + "/yank", ADMIN, Map.of("reason", "other")), 200);
        assertThat(again.get("statusReason").asText()).as("the first reason stays").isEqualTo("broken");
        for (String back : List.of("undeprecate", "deprecate")) {
            Api.Response refused = api.post("/api/v1/releases/" + releaseId + "/" + back, ADMIN, Map.of());
            assertThat(refused.status()).as(back + ": " + refused).isEqualTo(409);
            assertThat(refused.json().get("detail").asText()).contains("yanked", "final");
        }

        assertThat(api.get("/api/v1/releases", ADMIN).json()).extracting(r -> r.get("id").asText()).contains(releaseId);
        assertThat(api.get("/api/v1/releases?status=yanked", ADMIN).json())
                .allSatisfy(r -> assertThat(r.get("status").asText()).isEqualTo("yanked"))
                .extracting(r -> r.get("id").asText()).contains(releaseId);
        assertThat(api.get("/api/v1/releases?status=active", ADMIN).json()).extracting(r -> r.get("id").asText())
                .doesNotContain(releaseId);
    }

    @Test
    void aYankNeedsAReasonAndOnlyTheAdminMayChangeAStatus() {
        String releaseId = release();
        Api.Response noReason = api.post("/api/v1/releases/" + releaseId + "/yank", ADMIN, Map.of());
        assertThat(noReason.status()).as(noReason.toString()).isEqualTo(400);
        assertThat(noReason.json().at("/errors/0/field").asText()).isEqualTo("/reason");

        String tenantId = ok(api.post("/api/v1/tenants", ADMIN, Map.of("name", "other-" + suffix())), 201)
                .get("id").asText();
        String tenantToken = ok(api.post("/api/v1/tenants/" + tenantId + "/tokens", ADMIN, Map.of("name", "ci")), 201)
                .get("token").asText();
        for (String change : List.of("deprecate", "undeprecate", "yank")) {
            Api.Response forbidden = api.post("/api/v1/releases/" + releaseId + "/" + change, tenantToken,
                    Map.of("reason", "mine"));
            assertThat(forbidden.status()).as(change + ": " + forbidden).isEqualTo(403);
        }
        assertThat(api.get("/api/v1/releases/" + releaseId, tenantToken).json().get("status").asText())
                .isEqualTo("active");
    }

    @Test
    void aRetriedPublishWithTheSameIdempotencyKeyGetsTheFirstReleaseInsteadOfAConflict() {
        Map<String, Object> body = Map.of("serviceName", "svc-" + suffix(), "version", "1.0.0", "manifests", MANIFESTS,
                "defaultParameters", Map.of("replicas", "1"));
        Map<String, String> key = Map.of("Idempotency-Key", UUID.randomUUID().toString());

        JsonNode first = ok(api.withHeaders("POST", "/api/v1/releases", ADMIN, body, key), 201);
        Api.Response retry = api.withHeaders("POST", "/api/v1/releases", ADMIN, body, key);

        assertThat(retry.status()).as(retry.toString()).isEqualTo(201);
        assertThat(retry.header("Idempotency-Replayed")).isEqualTo("true");
        assertThat(retry.json().get("id").asText()).isEqualTo(first.get("id").asText());
        assertThat(api.post("/api/v1/releases", ADMIN, body).status()).as("without the key").isEqualTo(409);
    }

    @Test
    void anUnknownStatusFilterOrReleaseIsRefused() {
        Api.Response badFilter = api.get("/api/v1/releases?status=gone", ADMIN);
        assertThat(badFilter.status()).as(badFilter.toString()).isEqualTo(400);
        assertThat(badFilter.json().get("detail").asText()).contains("active, deprecated or yanked");

        assertThat(api.post("/api/v1/releases/rel_nope/deprecate", ADMIN, Map.of()).status()).isEqualTo(404);
        assertThat(api.post("/api/v1/deployments", ADMIN, newDeployment("rel_nope")).status()).isEqualTo(404);
    }

    private String release() {
        return ok(api.post("/api/v1/releases", ADMIN, Map.of("serviceName", "svc-" + suffix(), "version", "1.0.0",
                "manifests", MANIFESTS, "defaultParameters", Map.of("replicas", "1"))), 201).get("id").asText();
    }

    private Map<String, Object> newDeployment(String releaseId) {
        return Map.of("environmentId", environmentId, "releaseId", releaseId, "name", "app-" + suffix());
    }

    private JsonNode deploy(String releaseId) {
        return ok(api.post("/api/v1/deployments", ADMIN, newDeployment(releaseId)), 202);
    }

    /** Cancels the accepted change's operation (no agent carries it out here), so the next change can start. */
    private JsonNode unlocked(JsonNode accepted) {
        cancel(accepted);
        return accepted.get("deployment");
    }

    private void cancel(JsonNode accepted) {
        ok(api.post("/api/v1/operations/" + accepted.at("/operation/id").asText() + "/cancel", ADMIN, Map.of()), 200);
    }

    private Api.Response send(String method, String path, String body) {
        return api.send(method, path, ADMIN, body, body == null ? null : "application/json");
    }

    private static JsonNode ok(Api.Response response, int status) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        return response.json();
    }

    private static String suffix() {
        return UUID.randomUUID().toString().substring(0, 8);
    }
}
