package dev.outpost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.e2e.support.Cleanup;
import dev.outpost.e2e.support.GatewayEnrollment;
import dev.outpost.e2e.support.HubApi;
import dev.outpost.e2e.support.HubProcess;
import dev.outpost.e2e.support.TestDatabase;
import dev.outpost.protocol.fixtures.ReleaseFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the API confirms survives a crash: each confirmed write (201, 202, 200 or 204) is followed at
 * once by {@code kill -9} of the hub, which is then restarted on the same data directory and database;
 * every write confirmed so far must still be there, as confirmed, after every restart. The writes
 * cycle through every kind of mutation the API confirms (creations, issued secrets, cancellations,
 * revocations, deletions); a join token's secret must still admit an agent through the real gateway
 * after the crash, and that enrolment must hold through the following crashes. Bounded: at most
 * {@code outpost.e2e.kills} kills (default 50) within {@code outpost.e2e.kill-budget} (default PT4M)
 * per database; the numbers reached are printed. Subclasses choose the database.
 */
abstract class ConfirmedWritesSurviveKill {
    /** Fewer kills than this would not show much; a machine that slow should fail loudly instead. */
    private static final int MIN_KILLS = 10;
    private static final String NAMESPACE = "apps";

    @TempDir
    Path work;

    private final Cleanup cleanup = new Cleanup();

    /** The database the hub under test runs on. */
    abstract TestDatabase database();

    @AfterEach
    void stopEverything() throws Exception {
        cleanup.close();
    }

    @Test
    void everyConfirmedWriteSurvivesAKillRightAfterItsResponse() {
        int maxKills = Integer.getInteger("outpost.e2e.kills", 50);
        Duration budget = Duration.parse(System.getProperty("outpost.e2e.kill-budget", "PT4M"));
        TestDatabase database = cleanup.track(database());
        // A class-data archive, written when the first hub stops normally, and C1 only: each restart
        // costs about half as much CPU, so twice the kills fit in the budget. Durability is unaffected.
        HubProcess hub = cleanup.track(new HubProcess(work.resolve("hub-data"), database, "opa_kill-" + UUID.randomUUID())
                .withJvmOptions("-XX:+AutoCreateSharedArchive", "-XX:SharedArchiveFile=" + work.resolve("hub.jsa"),
                        "-XX:TieredStopAtLevel=1"));
        hub.start().stop();
        HubApi admin = new HubApi(hub.baseUrl(), hub.adminToken());
        Writes writes = new Writes(admin, hub.gatewayAddress(), work.resolve("hub-data").resolve("pki").resolve("ca.crt"));
        Map<String, Confirmed> confirmed = new LinkedHashMap<>();

        long begin = System.nanoTime();
        long startNanos = 0;
        int kills = 0;
        while (kills < maxKills && Duration.ofNanos(System.nanoTime() - begin).compareTo(budget) < 0) {
            long startBegin = System.nanoTime();
            hub.start();
            startNanos += System.nanoTime() - startBegin;
            assertAllStillThere(admin, confirmed, kills);
            // The kill follows the confirmed response at once: nothing else happens in between.
            Confirmed write = writes.next();
            hub.kill9();
            confirmed.put(write.what(), write);
            kills++;
        }
        hub.start();
        assertAllStillThere(admin, confirmed, kills);

        long totalMillis = Duration.ofNanos(System.nanoTime() - begin).toMillis();
        System.out.printf("E2E: %s: %d confirmed writes, each followed by kill -9, all there after restart; "
                        + "%d ms in total, %d ms of it hub starts (%d starts)%n", database.kind(), kills, totalMillis,
                Duration.ofNanos(startNanos).toMillis(), kills + 1);
        assertThat(kills).as("kills within the budget of " + budget).isGreaterThanOrEqualTo(MIN_KILLS);
    }

    private static void assertAllStillThere(HubApi admin, Map<String, Confirmed> confirmed, int kills) {
        SoftAssertions softly = new SoftAssertions();
        for (Confirmed write : confirmed.values()) {
            softly.check(() -> write.check().accept(admin));
        }
        if (!softly.errorsCollected().isEmpty()) {
            throw new AssertionError("after " + kills + " kill(s), " + softly.errorsCollected().size() + " of "
                    + confirmed.size() + " confirmed objects are lost or changed:\n"
                    + String.join("\n", softly.errorsCollected().stream().map(Throwable::getMessage).toList()));
        }
    }

    /**
     * One confirmed write and how to see, after a restart, that it still holds. A later write to the
     * same object ({@code what}), such as deleting a token, replaces the earlier check.
     */
    record Confirmed(String what, Consumer<HubApi> check) {
    }

    /**
     * The confirmed writes in a fixed cycle, each using objects an earlier write of the cycle made:
     * tenant, tenant API token, environment, join token (its first check enrolls an agent with it),
     * release, deployment, cancel its operation, update, cancel, delete, revoke the join token, revoke
     * the agent, delete the tenant API token.
     */
    private static final class Writes {
        private final HubApi admin;
        private final String gatewayAddress;
        private final Path caCertificate;
        private int step;
        private int round;
        private String tenantId;
        private String tenantTokenId;
        private String tenantToken;
        private String environmentId;
        private String joinTokenId;
        private String releaseId;
        private String deploymentId;
        private String operationId;
        /** The agent the round's join token admitted, set by that token's first check after a restart. */
        private String agentId;

        Writes(HubApi admin, String gatewayAddress, Path caCertificate) {
            this.admin = admin;
            this.gatewayAddress = gatewayAddress;
            this.caCertificate = caCertificate;
        }

        Confirmed next() {
            Confirmed write = switch (step) {
                case 0 -> createTenant();
                case 1 -> issueTenantToken();
                case 2 -> createEnvironment();
                case 3 -> issueJoinToken();
                case 4 -> createRelease();
                case 5 -> createDeployment();
                case 6 -> cancelOperation();
                case 7 -> updateDeployment();
                case 8 -> cancelOperation();
                case 9 -> deleteDeployment();
                case 10 -> revokeJoinToken();
                case 11 -> revokeAgent();
                case 12 -> deleteTenantToken();
                default -> throw new IllegalStateException("step " + step);
            };
            step = (step + 1) % 13;
            if (step == 0) {
                round++;
            }
            return write;
        }

        private Confirmed createTenant() {
            String name = "kill-" + round;
            JsonNode tenant = admin.post("/api/v1/tenants", Map.of("name", name)).expect(201);
            tenantId = tenant.path("id").asText();
            String id = tenantId;
            return new Confirmed("tenant " + id, api -> assertThat(field(api, "/api/v1/tenants/" + id, "name"))
                    .as("tenant %s", id).isEqualTo(name));
        }

        private Confirmed issueTenantToken() {
            JsonNode token = admin.post("/api/v1/tenants/" + tenantId + "/tokens", Map.of("name", "ci-" + round)).expect(201);
            tenantTokenId = token.path("id").asText();
            tenantToken = token.path("token").asText();
            String tenant = tenantId;
            String secret = tenantToken;
            return new Confirmed("tenant token " + tenantTokenId, api -> assertThat(api.as(secret)
                    .get("/api/v1/tenants/" + tenant).status()).as("tenant token %s accepted", tenantTokenId)
                    .isEqualTo(200));
        }

        private Confirmed createEnvironment() {
            String clusterName = "cluster-" + round;
            JsonNode environment = admin.post("/api/v1/environments", Map.of("tenantId", tenantId, "name", "prod",
                    "cloud", "aws", "region", "eu-west-1", "clusterName", clusterName)).expect(201);
            environmentId = environment.path("id").asText();
            String id = environmentId;
            return new Confirmed("environment " + id, api -> assertThat(field(api, "/api/v1/environments/" + id,
                    "clusterName")).as("environment %s", id).isEqualTo(clusterName));
        }

        private Confirmed issueJoinToken() {
            JsonNode token = admin.post("/api/v1/environments/" + environmentId + "/join-tokens",
                    Map.of("ttlSeconds", 3600, "uses", 1)).expect(201);
            joinTokenId = token.path("id").asText();
            String environment = environmentId;
            String id = joinTokenId;
            String secret = token.path("token").asText();
            String[] admitted = new String[1];
            return new Confirmed("join token " + id, api -> {
                JsonNode listed = joinToken(api, environment, id);
                assertThat(listed).as("join token %s listed", id).isNotNull();
                if (admitted[0] == null) {
                    // First look after the crash: the secret the hub returned must still admit an agent,
                    // through the real gateway. From then on that enrolment must hold as well.
                    GatewayEnrollment.Outcome outcome = GatewayEnrollment.enroll(gatewayAddress, caCertificate, secret);
                    assertThat(outcome.enrolled()).as("join token %s admits an agent: %s", id, outcome).isTrue();
                    admitted[0] = outcome.agentId();
                    agentId = outcome.agentId();
                } else {
                    assertThat(listed.path("used").asInt()).as("join token %s used", id).isEqualTo(1);
                    assertThat(api.get("/api/v1/agents/" + admitted[0]).status())
                            .as("agent %s enrolled with join token %s", admitted[0], id).isEqualTo(200);
                }
            });
        }

        private Confirmed createRelease() {
            ReleaseFixture fixture = ReleaseFixture.redisV1();
            String version = "1.0." + round;
            JsonNode release = admin.post("/api/v1/releases", Map.of("serviceName", "kill-" + fixture.serviceName(),
                    "version", version, "manifests", fixture.manifests(), "defaultParameters", fixture.defaults()))
                    .expect(201);
            releaseId = release.path("id").asText();
            String id = releaseId;
            return new Confirmed("release " + id, api -> assertThat(field(api, "/api/v1/releases/" + id, "version"))
                    .as("release %s", id).isEqualTo(version));
        }

        private Confirmed createDeployment() {
            JsonNode accepted = admin.post("/api/v1/deployments", Map.of("environmentId", environmentId,
                    "releaseId", releaseId, "name", "cache", "namespace", NAMESPACE,
                    "parameters", Map.of("name", "cache"))).expect(202);
            return operationStarted(accepted);
        }

        private Confirmed updateDeployment() {
            JsonNode accepted = admin.patch("/api/v1/deployments/" + deploymentId,
                    Map.of("parameters", Map.of("name", "cache", "replicas", "2"))).expect(202);
            return operationStarted(accepted);
        }

        private Confirmed deleteDeployment() {
            return operationStarted(admin.delete("/api/v1/deployments/" + deploymentId).expect(202));
        }

        private Confirmed operationStarted(JsonNode accepted) {
            deploymentId = accepted.path("deployment").path("id").asText();
            operationId = accepted.path("operation").path("id").asText();
            String deployment = deploymentId;
            String operation = operationId;
            long generation = accepted.path("deployment").path("generation").asLong();
            String type = accepted.path("operation").path("type").asText();
            return new Confirmed(type + " " + operation, api -> {
                // Later writes of the cycle raise the generation further; it must never fall below this one.
                assertThat(Long.parseLong(field(api, "/api/v1/deployments/" + deployment, "generation")))
                        .as("deployment %s generation", deployment).isGreaterThanOrEqualTo(generation);
                assertThat(field(api, "/api/v1/operations/" + operation, "type") + " generation "
                        + field(api, "/api/v1/operations/" + operation, "generation"))
                        .as("operation %s", operation).isEqualTo(type + " generation " + generation);
            });
        }

        private Confirmed cancelOperation() {
            JsonNode cancelled = admin.post("/api/v1/operations/" + operationId + "/cancel", Map.of()).expect(200);
            String operation = operationId;
            String status = cancelled.path("status").asText();
            return new Confirmed("cancel " + operation, api -> assertThat(field(api, "/api/v1/operations/" + operation,
                    "status")).as("operation %s cancelled", operation).isEqualTo(status));
        }

        private Confirmed revokeJoinToken() {
            String environment = environmentId;
            String id = joinTokenId;
            assertThat(admin.delete("/api/v1/environments/" + environment + "/join-tokens/" + id).status()).isEqualTo(204);
            return new Confirmed("revoke join token " + id, api -> {
                JsonNode token = joinToken(api, environment, id);
                assertThat(token).as("join token %s listed", id).isNotNull();
                assertThat(token.path("revokedAt").isNull()).as("join token %s revoked", id).isFalse();
            });
        }

        private Confirmed revokeAgent() {
            String id = agentId;
            String status = admin.post("/api/v1/agents/" + id + "/revoke", Map.of()).expect(200).path("status").asText();
            return new Confirmed("agent " + id, api -> assertThat(field(api, "/api/v1/agents/" + id, "status"))
                    .as("agent %s revoked", id).isEqualTo(status));
        }

        private Confirmed deleteTenantToken() {
            String id = tenantTokenId;
            String secret = tenantToken;
            String tenant = tenantId;
            assertThat(admin.delete("/api/v1/tenants/" + tenant + "/tokens/" + id).status()).isEqualTo(204);
            return new Confirmed("tenant token " + id, api -> assertThat(api.as(secret)
                    .get("/api/v1/tenants/" + tenant).status()).as("deleted tenant token %s refused", id).isEqualTo(401));
        }

        private static String field(HubApi api, String path, String field) {
            HubApi.Response response = api.get(path);
            assertThat(response.status()).as("GET %s", path).isEqualTo(200);
            return response.body().path(field).asText();
        }

        private static JsonNode joinToken(HubApi api, String environmentId, String tokenId) {
            JsonNode tokens = api.get("/api/v1/environments/" + environmentId + "/join-tokens").expect(200);
            for (JsonNode token : tokens) {
                if (token.path("id").asText().equals(tokenId)) {
                    return token;
                }
            }
            return null;
        }
    }

}
