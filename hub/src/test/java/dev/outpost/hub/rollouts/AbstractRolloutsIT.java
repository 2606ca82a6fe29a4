package dev.outpost.hub.rollouts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.hub.testsupport.Api;
import dev.outpost.hub.testsupport.HubTestProperties;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Rollouts through a running hub (no agent: operations stay pending unless cancelled): which
 * deployments one request upgrades and which it skips and why, what each tenant may roll out and see,
 * and how the rollout's status follows its operations. Subclasses pick the database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractRolloutsIT implements TestPropertyProvider {
    private static final String ADMIN = "opa_" + "rollouts".repeat(4);
    private static final String MANIFESTS = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n"
            + "data:\n  replicas: \"{{ replicas }}\"\n";

    @Inject
    EmbeddedServer server;

    private Api api;
    private String service;

    /** Database-specific properties (outpost.db-url and friends, or nothing for H2). */
    abstract Map<String, String> databaseProperties();

    @Override
    public Map<String, String> getProperties() {
        return HubTestProperties.with(databaseProperties(), ADMIN);
    }

    @BeforeEach
    void setUp() {
        api = new Api(server.getURI());
        service = "svc-" + suffix();
    }

    @Test
    void aRolloutUpgradesEveryDeploymentOfTheServiceOnAnotherReleaseAndSkipsABusyOneWithTheReason() {
        String tenant = tenant();
        String v1 = release(service, "1.0.0");
        String v2 = release(service, "2.0.0");
        String other = release("other-" + suffix(), "1.0.0");
        List<String> idle = new ArrayList<>();
        for (String environment : List.of(environment(tenant), environment(tenant))) {
            idle.add(idle(deploy(environment, v1)));
        }
        String busy = deploy(environment(tenant), v1).at("/deployment/id").asText();
        String otherService = idle(deploy(environment(tenant), other));
        String alreadyThere = idle(deploy(environment(tenant), v2));

        JsonNode rollout = ok(api.post("/api/v1/rollouts", ADMIN, Map.of("releaseId", v2, "tenantId", tenant)), 201);

        assertThat(rollout.get("status").asText()).isEqualTo("running");
        assertThat(rollout.get("targets").asInt()).isEqualTo(3);
        assertThat(rollout.at("/operations/pending").asInt()).isEqualTo(2);
        assertThat(rollout.get("skipped").asInt()).isEqualTo(1);
        assertThat(rollout.at("/skippedTargets/0/deploymentId").asText()).isEqualTo(busy);
        assertThat(rollout.at("/skippedTargets/0/reason").asText()).contains("pending or running");
        for (String id : idle) {
            JsonNode deployment = api.get("/api/v1/deployments/" + id, ADMIN).json();
            assertThat(deployment.get("releaseId").asText()).isEqualTo(v2);
            assertThat(deployment.get("generation").asInt()).isEqualTo(2);
            JsonNode operations = api.get("/api/v1/operations?deploymentId=" + id, ADMIN).json();
            assertThat(operations).extracting(o -> o.get("type").asText() + "/" + o.get("status").asText())
                    .contains("update/pending");
        }
        assertThat(api.get("/api/v1/deployments/" + otherService, ADMIN).json().get("releaseId").asText())
                .isEqualTo(other);
        assertThat(api.get("/api/v1/deployments/" + alreadyThere, ADMIN).json().get("generation").asInt())
                .as("already on the release: not a target").isEqualTo(1);
        JsonNode audit = api.get("/api/v1/audit?tenantId=" + tenant, ADMIN).json();
        assertThat(audit).filteredOn(e -> e.get("action").asText().equals("deployment.update"))
                .extracting(e -> e.get("objectId").asText()).containsExactlyInAnyOrderElementsOf(idle);
        assertThat(audit).filteredOn(e -> e.get("action").asText().equals("deployment.update"))
                .allSatisfy(e -> assertThat(e.get("detail").asText()).contains(v1 + " -> " + v2,
                        "rollout " + rollout.get("id").asText()));
        assertThat(audit).extracting(e -> e.get("action").asText()).contains("rollout.create");
        assertThat(api.get("/api/v1/audit/verify", ADMIN).json().get("valid").asBoolean())
                .as("the entries written as one batch chain as any others").isTrue();
    }

    @Test
    void theStatusFollowsTheOperationsAndTheSameRolloutAgainMatchesNothing() {
        String tenant = tenant();
        String v1 = release(service, "1.0.0");
        String v2 = release(service, "2.0.0");
        String deployment = idle(deploy(environment(tenant), v1));
        String rolloutId = ok(api.post("/api/v1/rollouts", ADMIN, Map.of("releaseId", v2, "tenantId", tenant)), 201)
                .get("id").asText();

        String operation = api.get("/api/v1/deployments/" + deployment, ADMIN).json().get("activeOperationId").asText();
        ok(api.post("/api/v1/operations/" + operation + "/cancel", ADMIN, Map.of()), 200);

        JsonNode after = ok(api.get("/api/v1/rollouts/" + rolloutId, ADMIN), 200);
        assertThat(after.get("status").asText()).as("a cancelled operation fails the rollout").isEqualTo("failed");
        assertThat(after.at("/operations/failed").asInt()).isEqualTo(1);
        JsonNode again = ok(api.post("/api/v1/rollouts", ADMIN, Map.of("releaseId", v2, "tenantId", tenant)), 201);
        assertThat(again.get("targets").asInt()).isZero();
        assertThat(again.get("status").asText()).isEqualTo("succeeded");
        assertThat(api.get("/api/v1/rollouts?tenantId=" + tenant, ADMIN).json())
                .extracting(r -> r.get("id").asText()).containsExactly(again.get("id").asText(), rolloutId);
    }

    @Test
    void fromReleaseIdsAndEnvironmentIdsNarrowTheTargets() {
        String tenant = tenant();
        String v1 = release(service, "1.0.0");
        String v1b = release(service, "1.1.0");
        String v2 = release(service, "2.0.0");
        String environment = environment(tenant);
        String onV1 = idle(deploy(environment, v1));
        String onV1b = idle(deploy(environment, v1b));
        String elsewhere = idle(deploy(environment(tenant), v1));

        JsonNode rollout = ok(api.post("/api/v1/rollouts", ADMIN, Map.of("releaseId", v2,
                "fromReleaseIds", List.of(v1), "environmentIds", List.of(environment))), 201);

        assertThat(rollout.get("targets").asInt()).isEqualTo(1);
        assertThat(rollout.get("tenantId").isNull()).as("the vendor's, over every tenant").isTrue();
        assertThat(api.get("/api/v1/deployments/" + onV1, ADMIN).json().get("releaseId").asText()).isEqualTo(v2);
        assertThat(api.get("/api/v1/deployments/" + onV1b, ADMIN).json().get("releaseId").asText()).isEqualTo(v1b);
        assertThat(api.get("/api/v1/deployments/" + elsewhere, ADMIN).json().get("releaseId").asText()).isEqualTo(v1);
    }

    @Test
    void whatCannotBeRolledOutIsRefusedWithTheReasonAndWritesNothing() {
        String tenant = tenant();
        String v1 = release(service, "1.0.0");
        String v2 = release(service, "2.0.0");
        String other = release("other-" + suffix(), "1.0.0");
        String deployment = idle(deploy(environment(tenant), v1));

        Api.Response wrongService = api.post("/api/v1/rollouts", ADMIN, Map.of("releaseId", v2,
                "fromReleaseIds", List.of(other)));
        assertThat(wrongService.status()).as(wrongService.toString()).isEqualTo(422);
        assertThat(wrongService.json().get("detail").asText()).contains(other, "is of service");
        Api.Response unknown = api.post("/api/v1/rollouts", ADMIN, Map.of("releaseId", "rel_nope"));
        assertThat(unknown.status()).as(unknown.toString()).isEqualTo(404);
        Api.Response missing = api.post("/api/v1/rollouts", ADMIN, Map.of("tenantId", tenant));
        assertThat(missing.status()).as(missing.toString()).isEqualTo(400);
        assertThat(missing.json().at("/errors/0/field").asText()).isEqualTo("/releaseId");
        ok(api.post("/api/v1/releases/" + v2 + "/yank", ADMIN, Map.of("reason", "CVE-2026-9")), 200);
        Api.Response yanked = api.post("/api/v1/rollouts", ADMIN, Map.of("releaseId", v2));
        assertThat(yanked.status()).as(yanked.toString()).isEqualTo(409);
        assertThat(yanked.json().get("detail").asText()).contains("yanked", "CVE-2026-9");

        assertThat(api.get("/api/v1/deployments/" + deployment, ADMIN).json().get("generation").asInt()).isEqualTo(1);
    }

    @Test
    void aTenantRollsOutOnlyItsOwnDeploymentsAndSeesOnlyItsOwnRollouts() {
        String mine = tenant();
        String theirs = tenant();
        String token = ok(api.post("/api/v1/tenants/" + mine + "/tokens", ADMIN, Map.of("name", "ci")), 201)
                .get("token").asText();
        String v1 = release(service, "1.0.0");
        String v2 = release(service, "2.0.0");
        String own = idle(deploy(environment(mine), v1));
        String foreign = idle(deploy(environment(theirs), v1));

        JsonNode rollout = ok(api.post("/api/v1/rollouts", token, Map.of("releaseId", v2)), 201);

        assertThat(rollout.get("tenantId").asText()).isEqualTo(mine);
        assertThat(rollout.get("targets").asInt()).isEqualTo(1);
        assertThat(api.get("/api/v1/deployments/" + own, ADMIN).json().get("releaseId").asText()).isEqualTo(v2);
        assertThat(api.get("/api/v1/deployments/" + foreign, ADMIN).json().get("releaseId").asText()).isEqualTo(v1);
        assertThat(api.post("/api/v1/rollouts", token, Map.of("releaseId", v2, "tenantId", theirs)).status())
                .as("another tenant's looks unknown").isEqualTo(404);
        String vendorRollout = ok(api.post("/api/v1/rollouts", ADMIN, Map.of("releaseId", v2)), 201).get("id").asText();
        assertThat(api.get("/api/v1/rollouts/" + vendorRollout, token).status()).isEqualTo(404);
        assertThat(api.get("/api/v1/rollouts", token).json()).extracting(r -> r.get("id").asText())
                .containsExactly(rollout.get("id").asText());
    }

    @Test
    void aRetriedStartWithTheSameIdempotencyKeyStartsNothingMore() {
        String tenant = tenant();
        String v1 = release(service, "1.0.0");
        String v2 = release(service, "2.0.0");
        String deployment = idle(deploy(environment(tenant), v1));
        Map<String, String> key = Map.of("Idempotency-Key", UUID.randomUUID().toString());

        JsonNode first = ok(api.withHeaders("POST", "/api/v1/rollouts", ADMIN, Map.of("releaseId", v2), key), 201);
        Api.Response retry = api.withHeaders("POST", "/api/v1/rollouts", ADMIN, Map.of("releaseId", v2), key);

        assertThat(retry.status()).as(retry.toString()).isEqualTo(201);
        assertThat(retry.json().get("id").asText()).isEqualTo(first.get("id").asText());
        assertThat(api.get("/api/v1/operations?deploymentId=" + deployment, ADMIN).json()).hasSize(2);
    }

    private String tenant() {
        return ok(api.post("/api/v1/tenants", ADMIN, Map.of("name", "rollouts-" + suffix())), 201).get("id").asText();
    }

    private String environment(String tenantId) {
        return ok(api.post("/api/v1/environments", ADMIN, Map.of("tenantId", tenantId, "name", "env-" + suffix(),
                "cloud", "aws", "region", "eu-west-1", "clusterName", "prod")), 201).get("id").asText();
    }

    private String release(String serviceName, String version) {
        return ok(api.post("/api/v1/releases", ADMIN, Map.of("serviceName", serviceName, "version", version,
                "manifests", MANIFESTS, "defaultParameters", Map.of("replicas", "1"))), 201).get("id").asText();
    }

    private JsonNode deploy(String environmentId, String releaseId) {
        return ok(api.post("/api/v1/deployments", ADMIN, Map.of("environmentId", environmentId, "releaseId", releaseId,
                "name", "app-" + suffix())), 202);
    }

    /** Cancels the create operation (no agent carries it out here), so that the deployment can be upgraded. */
    private String idle(JsonNode accepted) {
        ok(api.post("/api/v1/operations/" + accepted.at("/operation/id").asText() + "/cancel", ADMIN, Map.of()), 200);
        return accepted.at("/deployment/id").asText();
    }

    private static JsonNode ok(Api.Response response, int status) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        return response.json();
    }

    private static String suffix() {
        return UUID.randomUUID().toString().substring(0, 8);
    }
}
