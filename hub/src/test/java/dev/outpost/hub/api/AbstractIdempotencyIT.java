package dev.outpost.hub.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.hub.testsupport.Api;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Retries and races a client meets: Idempotency-Key replays the first response and changes nothing
 * twice, even when the two requests race; If-Match refuses a change based on a stale read; two
 * concurrent changes of one deployment start exactly one operation.
 */
abstract class AbstractIdempotencyIT extends AbstractRestIT {
    private String environment;
    private String release;

    @BeforeAll
    void objects() {
        environment = createEnvironment(createTenant());
        release = createRelease();
    }

    @Test
    void aRetriedCreateWithTheSameKeyCreatesOneDeploymentAndReturnsTheSameBody() {
        String key = UUID.randomUUID().toString();
        Map<String, Object> body = newDeployment("retried");
        Map<String, Long> before = rowCounts();

        Api.Response first = api.withHeaders("POST", "/api/v1/deployments", ADMIN, body, Map.of("Idempotency-Key", key));
        Api.Response retry = api.withHeaders("POST", "/api/v1/deployments", ADMIN, body, Map.of("Idempotency-Key", key));

        assertThat(first.status()).as(first.toString()).isEqualTo(202);
        assertThat(retry.status()).as(retry.toString()).isEqualTo(202);
        assertThat(retry.json()).isEqualTo(first.json());
        assertThat(retry.header("Idempotency-Replayed")).isEqualTo("true");
        assertThat(first.header("Idempotency-Replayed")).isNull();
        Map<String, Long> after = rowCounts();
        assertThat(after.get("deployments") - before.get("deployments")).isEqualTo(1);
        assertThat(after.get("operations") - before.get("operations")).isEqualTo(1);
        assertThat(after.get("commands") - before.get("commands")).isEqualTo(1);
    }

    @Test
    void theSameKeyWithAnotherBodyOrRouteIsRefusedAndChangesNothing() {
        String key = UUID.randomUUID().toString();
        assertThat(api.withHeaders("POST", "/api/v1/deployments", ADMIN, newDeployment("first"),
                Map.of("Idempotency-Key", key)).status()).isEqualTo(202);
        Map<String, Long> before = rowCounts();

        Api.Response otherBody = api.withHeaders("POST", "/api/v1/deployments", ADMIN, newDeployment("second"),
                Map.of("Idempotency-Key", key));
        Api.Response otherRoute = api.withHeaders("POST", "/api/v1/tenants", ADMIN, Map.of("name", "t-" + suffix()),
                Map.of("Idempotency-Key", key));

        assertThat(otherBody.status()).as(otherBody.toString()).isEqualTo(422);
        assertThat(otherBody.json().get("detail").asText()).contains("already used for a request with another body");
        assertThat(otherRoute.status()).as(otherRoute.toString()).isEqualTo(422);
        assertThat(otherRoute.json().get("detail").asText()).contains("already used for POST /api/v1/deployments");
        assertThat(rowCounts()).isEqualTo(before);
    }

    @Test
    void keysAreKeptPerTenantSoTwoTenantsMayUseTheSameKey() {
        String key = "same-key-" + suffix();
        Api.Response admin = api.withHeaders("POST", "/api/v1/tenants", ADMIN, Map.of("name", "a-" + suffix()),
                Map.of("Idempotency-Key", key));
        String tenant = createTenant();
        String token = created(api.post("/api/v1/tenants/" + tenant + "/tokens", ADMIN, Map.of("name", "ci")))
                .get("token").asText();
        String tenantEnvironment = createEnvironment(tenant);
        Api.Response tenantCall = api.withHeaders("POST", "/api/v1/deployments", token,
                Map.of("environmentId", tenantEnvironment, "releaseId", release, "name", "app-" + suffix()),
                Map.of("Idempotency-Key", key));
        assertThat(admin.status()).as(admin.toString()).isEqualTo(201);
        assertThat(tenantCall.status()).as(tenantCall.toString()).isEqualTo(202);
    }

    @Test
    void racingRequestsWithOneKeyCreateOneDeployment() throws Exception {
        String key = UUID.randomUUID().toString();
        Map<String, Object> body = newDeployment("raced");
        Map<String, Long> before = rowCounts();

        List<Api.Response> responses = race(4, () -> api.withHeaders("POST", "/api/v1/deployments", ADMIN, body,
                Map.of("Idempotency-Key", key)));

        List<String> ids = new ArrayList<>();
        for (Api.Response response : responses) {
            // the loser either waited and got the winner's response, or was told to retry (never a second change)
            assertThat(response.status()).as(response.toString()).isIn(202, 409);
            if (response.status() == 202) {
                ids.add(response.json().at("/deployment/id").asText());
            }
        }
        assertThat(ids).isNotEmpty().allMatch(ids.getFirst()::equals);
        assertThat(rowCounts().get("deployments") - before.get("deployments")).isEqualTo(1);
    }

    @Test
    void aStaleIfMatchIsRefusedWith412AndTheCurrentOneIsAccepted() {
        String id = createDeploymentAndFinishIt("etag");
        Api.Response read = api.get("/api/v1/deployments/" + id, ADMIN);
        String etag = read.header("ETag");
        assertThat(etag).as(read.toString()).isNotBlank().startsWith("\"");

        Api.Response change = api.withHeaders("PATCH", "/api/v1/deployments/" + id, ADMIN,
                Map.of("parameters", Map.of("replicas", "2")), Map.of("If-Match", etag));
        assertThat(change.status()).as(change.toString()).isEqualTo(202);
        Map<String, Long> before = rowCounts();

        Api.Response stale = api.withHeaders("DELETE", "/api/v1/deployments/" + id, ADMIN, null, Map.of("If-Match", etag));
        assertThat(stale.status()).as(stale.toString()).isEqualTo(412);
        assertThat(stale.json().get("detail").asText()).contains("changed since you read it");
        assertThat(rowCounts()).isEqualTo(before);
        assertThat(api.get("/api/v1/deployments/" + id, ADMIN).header("ETag")).isNotEqualTo(etag);

        // a change that is malformed in itself is told so, whatever If-Match says (found by ApiFuzzIT)
        Api.Response malformed = api.withHeaders("PATCH", "/api/v1/deployments/" + id, ADMIN,
                Map.of("plan", "p".repeat(64)), Map.of("If-Match", etag));
        assertThat(malformed.status()).as(malformed.toString()).isEqualTo(400);
        assertThat(malformed.toString()).contains("/plan");
        assertThat(rowCounts()).isEqualTo(before);
    }

    @Test
    void twoConcurrentChangesOfOneDeploymentStartExactlyOneOperation() throws Exception {
        String id = createDeploymentAndFinishIt("race");
        long operationsBefore = rowCounts().get("operations");

        List<Api.Response> responses = race(2, () -> api.patch("/api/v1/deployments/" + id, ADMIN,
                Map.of("parameters", Map.of("replicas", String.valueOf(2 + (int) (Math.random() * 5))))));

        assertThat(responses).extracting(Api.Response::status).containsExactlyInAnyOrder(202, 409);
        assertThat(rowCounts().get("operations") - operationsBefore).isEqualTo(1);
    }

    @Test
    void aRetriedCancelGetsTheFirstAnswerInsteadOf409() {
        JsonNode accepted = deploy(ADMIN, environment, release);
        String cancel = "/api/v1/operations/" + accepted.at("/operation/id").asText() + "/cancel";
        String key = UUID.randomUUID().toString();

        Api.Response first = api.withHeaders("POST", cancel, ADMIN, null, Map.of("Idempotency-Key", key));
        Api.Response retry = api.withHeaders("POST", cancel, ADMIN, null, Map.of("Idempotency-Key", key));
        Api.Response withoutKey = api.withHeaders("POST", cancel, ADMIN, null, Map.of());

        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        assertThat(retry.status()).as(retry.toString()).isEqualTo(200);
        assertThat(retry.json()).isEqualTo(first.json());
        assertThat(withoutKey.status()).as(withoutKey.toString()).isEqualTo(409);
    }

    @Test
    void routesThatIssueSecretsRefuseAKeyRatherThanKeepTheSecret() {
        Map<String, Long> before = rowCounts();
        Api.Response joinToken = api.withHeaders("POST", "/api/v1/environments/" + environment + "/join-tokens", ADMIN,
                Map.of(), Map.of("Idempotency-Key", "k-" + suffix()));
        assertBadRequest(joinToken);
        assertThat(joinToken.json().get("detail").asText()).contains("not accepted where a secret is issued");
        assertThat(rowCounts()).isEqualTo(before);
    }

    @Test
    void aMalformedKeyIsRefused() {
        Map<String, Long> before = rowCounts();
        for (String key : List.of("has space", "x".repeat(256))) {
            Api.Response response = api.withHeaders("POST", "/api/v1/tenants", ADMIN, Map.of("name", "t-" + suffix()),
                    Map.of("Idempotency-Key", key));
            assertBadRequest(response);
            assertThat(response.json().get("detail").asText()).contains("Idempotency-Key must be 1 to 255");
        }
        assertThat(rowCounts()).isEqualTo(before);
    }

    private Map<String, Object> newDeployment(String prefix) {
        return Map.of("environmentId", environment, "releaseId", release, "name", prefix + "-" + suffix());
    }

    /**
     * A deployment whose create operation no longer blocks changes (no agent carries it out here):
     * cancelled, as an operator would.
     */
    private String createDeploymentAndFinishIt(String prefix) {
        JsonNode accepted = deploy(ADMIN, environment, release);
        Api.Response cancelled = api.post("/api/v1/operations/" + accepted.at("/operation/id").asText() + "/cancel",
                ADMIN, Map.of());
        assertThat(cancelled.status()).as(cancelled.toString()).isEqualTo(200);
        return accepted.at("/deployment/id").asText();
    }

    /** Runs {@code call} {@code n} times at once (released together); their responses. */
    private static List<Api.Response> race(int n, Callable<Api.Response> call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Api.Response>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return call.call();
                }));
            }
            start.countDown();
            List<Api.Response> responses = new ArrayList<>();
            for (Future<Api.Response> future : futures) {
                responses.add(future.get());
            }
            return responses;
        } finally {
            pool.shutdownNow();
        }
    }
}
