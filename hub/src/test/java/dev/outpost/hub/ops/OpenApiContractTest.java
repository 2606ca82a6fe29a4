package dev.outpost.hub.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.hub.testsupport.Api;
import dev.outpost.protocol.contract.OpenApiContract;
import java.net.http.HttpHeaders;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The contract check the test clients run on every response can fail: fed the hub's real document
 * and responses that drift from it, it names what is wrong.
 */
class OpenApiContractTest {
    private static final OpenApiContract CONTRACT = Api.CONTRACT;
    private static final String TENANT = """
            {"id":"ten_abc","name":"acme","createdAt":"2026-12-03T06:00:00.123Z"}""";
    private static final String DEPLOYMENT = """
            {"id":"dep_1","tenantId":"ten_1","environmentId":"env_1","releaseId":"rel_1","name":"cache",
             "namespace":"apps","parameters":{"replicas":"2"},"generation":1,"appliedGeneration":0,
             "contentHash":null,"status":"%s","statusReason":null,"activeOperationId":"op_1",
             "failedStep":null,"revision":null,
             "createdAt":"2026-12-03T06:00:00Z","updatedAt":"2026-12-03T06:00:00Z","plan":null,
             "namespaceMode":"existing","driftPolicy":"report",
             "drift":[{"apiVersion":"apps/v1","kind":"StatefulSet","namespace":"apps","name":"redis",
               "change":"modified","fields":["spec.replicas"],"since":"2026-12-03T06:00:00Z","healed":false,
               "lastSeenAt":"2026-12-03T06:00:01Z"}],"driftedSince":"2026-12-03T06:00:00Z"}""";
    private static final String OPERATION = """
            {"id":"op_1","deploymentId":"dep_1","tenantId":"ten_1","type":"create","generation":1,
             "status":"pending","steps":[],"failureReason":null,"failedStep":null,
             "retryOf":null,"createdAt":"2026-12-03T06:00:00Z",
             "startedAt":null,"finishedAt":null,"waitingReason":null}""";

    private static HttpHeaders headers(String contentType, String... more) {
        Map<String, List<String>> map = new HashMap<>();
        if (contentType != null) {
            map.put("Content-Type", List.of(contentType));
        }
        for (int i = 0; i < more.length; i += 2) {
            map.put(more[i], List.of(more[i + 1]));
        }
        return HttpHeaders.of(map, (name, value) -> true);
    }

    private static List<String> tenantCreated(String body) {
        return CONTRACT.violations("POST", "/api/v1/tenants", 201, headers("application/json"), body);
    }

    @Test
    void aResponseAsDocumentedPasses() {
        assertThat(tenantCreated(TENANT)).isEmpty();
        assertThat(CONTRACT.violations("POST", "/api/v1/deployments", 202, headers("application/json"),
                "{\"deployment\":" + DEPLOYMENT.formatted("pending") + ",\"operation\":" + OPERATION + "}")).isEmpty();
        assertThat(CONTRACT.violations("GET", "/api/v1/tenants/ten_abc?x=1", 404, headers("application/problem+json"),
                "{\"type\":\"https://outpost.dev/problems/not-found\",\"title\":\"Not Found\",\"status\":404,"
                        + "\"detail\":\"tenant ten_abc not found\"}")).isEmpty();
    }

    @Test
    void aMissingFieldAnUnknownFieldAndAWrongTypeAreCaught() {
        assertThat(tenantCreated("{\"id\":\"ten_abc\",\"name\":\"acme\"}")).singleElement().asString()
                .contains("createdAt");
        assertThat(tenantCreated(TENANT.replace("}", ",\"secret\":\"x\"}"))).singleElement().asString()
                .contains("secret");
        assertThat(tenantCreated(TENANT.replace("\"acme\"", "123"))).singleElement().asString().contains("/name");
        assertThat(tenantCreated(TENANT.replace("2026-12-03T06:00:00.123Z", "yesterday"))).isNotEmpty();
    }

    @Test
    void anUpperCaseEnumOrANullWhereNoneIsAllowedIsCaught() {
        assertThat(CONTRACT.violations("GET", "/api/v1/deployments/dep_1", 200, headers("application/json", "ETag", "\"1-abc\""),
                DEPLOYMENT.formatted("PENDING"))).singleElement().asString().contains("/status");
        assertThat(CONTRACT.violations("GET", "/api/v1/deployments/dep_1", 200, headers("application/json", "ETag", "\"1-abc\""),
                DEPLOYMENT.formatted("pending").replace("\"namespace\":\"apps\"", "\"namespace\":null")))
                .singleElement().asString().contains("/namespace");
    }

    @Test
    void anUndocumentedStatusOrContentTypeIsCaught() {
        assertThat(CONTRACT.violations("POST", "/api/v1/tenants", 200, headers("application/json"), TENANT))
                .singleElement().asString().contains("status 200 is not documented");
        assertThat(CONTRACT.violations("POST", "/api/v1/tenants", 201, headers("text/plain"), TENANT))
                .singleElement().asString().contains("content type 'text/plain'");
    }

    @Test
    void anErrorThatIsNotAProblemIsCaught() {
        assertThat(CONTRACT.violations("POST", "/api/v1/tenants", 400, headers("application/json"),
                "{\"message\":\"Failed to convert argument [body]\"}")).singleElement().asString()
                .contains("application/problem+json");
        assertThat(CONTRACT.violations("POST", "/api/v1/tenants", 400, headers("application/problem+json"),
                "{\"type\":\"https://outpost.dev/problems/bad-request\",\"title\":\"Bad Request\",\"status\":500,"
                        + "\"detail\":\"x\"}")).singleElement().asString().contains("/status");
        assertThat(CONTRACT.violations("GET", "/api/v1/tenants", 401, headers("application/problem+json"),
                "{\"type\":\"https://outpost.dev/problems/unauthorized\",\"title\":\"Unauthorized\",\"status\":401,"
                        + "\"detail\":\"a valid API token is required\"}")).singleElement().asString()
                .contains("WWW-Authenticate");
    }

    @Test
    void anUndocumentedRouteOrMethodMayOnlyAnswerAProblem() {
        String notFound = "{\"type\":\"https://outpost.dev/problems/not-found\",\"title\":\"Not Found\",\"status\":404,"
                + "\"detail\":\"Page Not Found\"}";
        assertThat(CONTRACT.violations("GET", "/api/v1/nothing", 404, headers("application/problem+json"), notFound))
                .isEmpty();
        assertThat(CONTRACT.violations("GET", "/api/v1/nothing", 200, headers("application/json"), "[]"))
                .anySatisfy(v -> assertThat(v).contains("a path the document lacks was answered 200"));
        assertThat(CONTRACT.violations("PUT", "/api/v1/releases/rel_1", 200, headers("application/json"), "{}"))
                .anySatisfy(v -> assertThat(v).contains("a method the document lacks"));
    }

    @Test
    void checkFailsTheTestWithEveryViolation() {
        assertThatThrownBy(() -> CONTRACT.check("POST", "/api/v1/tenants", 201, headers("application/json"),
                "{\"id\":1}"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("POST /api/v1/tenants (201) breaks the OpenAPI document")
                .hasMessageContaining("/id").hasMessageContaining("name").hasMessageContaining("createdAt");
    }
}
