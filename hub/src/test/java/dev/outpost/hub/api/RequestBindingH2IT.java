package dev.outpost.hub.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.outpost.hub.testsupport.Api;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue #7 items 2, 3 (join-token limits), 5 and 6: every request body is bound strictly (no coercion,
 * unknown fields refused), errors name the field as a JSON pointer with the expected type or range, and
 * a refused request writes nothing. Binding does not depend on the database: H2 only.
 */
@MicronautTest
class RequestBindingH2IT extends AbstractRestIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Longest join-token TTL with the default outpost.join-token-max-ttl (7 days). */
    private static final long MAX_TTL_SECONDS = 7 * 24 * 3600;

    private String tenant;
    private String environment;
    private String release;
    private String deployment;

    @Override
    Map<String, String> databaseProperties() {
        return Map.of();
    }

    @BeforeAll
    void objects() {
        tenant = createTenant();
        environment = createEnvironment(tenant);
        release = createRelease();
        deployment = deploy(ADMIN, environment, release).at("/deployment/id").asText();
    }

    @Test
    void valuesOfTheWrongTypeAreRefusedNamingTheFieldAndWriteNothing() {
        String tokens = "/api/v1/environments/" + environment + "/join-tokens";
        Map<String, Long> before = rowCounts();

        // exactly the requests of issue #7 item 2
        assertFieldRefused(post("/api/v1/tenants", "{\"name\":123}"), "/name", "must be a string (got an integer)");
        assertFieldRefused(post("/api/v1/tenants", "{\"name\":true}"), "/name", "must be a string (got a boolean)");
        assertFieldRefused(post("/api/v1/tenants", "{\"name\":[\"a\"]}"), "/name", "must be a string (got an array)");
        assertFieldRefused(post("/api/v1/tenants", "{\"name\":{}}"), "/name", "must be a string (got an object)");
        assertFieldRefused(post(tokens, "{\"uses\":\"7\"}"), "/uses", "must be an integer from 1 to 100 (got a string)");
        assertFieldRefused(post(tokens, "{\"uses\":[3]}"), "/uses", "must be an integer from 1 to 100 (got an array)");
        assertFieldRefused(post(tokens, "{\"uses\":\"\"}"), "/uses", "must be an integer from 1 to 100 (got a string)");
        assertFieldRefused(post(tokens, "{\"uses\":2.9}"), "/uses",
                "must be an integer from 1 to 100 (got a number with a fraction or exponent)");
        assertFieldRefused(post(tokens, "{\"ttlSeconds\":1.5}"), "/ttlSeconds", "must be an integer of at least 1");
        assertFieldRefused(post(tokens, "{\"ttlSeconds\":\"600\"}"), "/ttlSeconds",
                "must be an integer of at least 1 (got a string)");
        assertFieldRefused(post("/api/v1/deployments", "{\"environmentId\":\"" + environment + "\",\"releaseId\":\""
                + release + "\",\"name\":\"cache\",\"parameters\":{\"replicas\":123}}"),
                "/parameters/replicas", "must be a string (got an integer)");
        assertFieldRefused(patch("{\"parameters\":{\"replicas\":2}}"), "/parameters/replicas", "must be a string");

        assertThat(rowCounts()).isEqualTo(before);
    }

    @Test
    void everyFieldOfEveryBodyRefusesEveryOtherJsonType() {
        Map<String, Object> wrongForText = Map.of("an integer", 1, "a boolean", true, "an array", List.of("a"),
                "an object", Map.of("a", "b"), "a number with a fraction or exponent", 1.5);
        Map<String, Object> wrongForInteger = Map.of("a string", "1", "a boolean", true, "an array", List.of(1),
                "an object", Map.of(), "a number with a fraction or exponent", 1.0);
        Map<String, Object> wrongForMap = Map.of("a string", "x", "an integer", 1, "a boolean", false,
                "an array", List.of(Map.of("a", "b")));
        int requests = 0;
        Map<String, Long> before = rowCounts();
        for (Body body : bodies()) {
            for (Map.Entry<String, Kind> field : body.fields().entrySet()) {
                Map<String, Object> wrong = switch (field.getValue()) {
                    case TEXT -> wrongForText;
                    case INTEGER -> wrongForInteger;
                    case STRING_MAP -> wrongForMap;
                };
                for (Map.Entry<String, Object> value : wrong.entrySet()) {
                    ObjectNode request = body.valid().deepCopy();
                    request.set(field.getKey(), JSON.valueToTree(value.getValue()));
                    Api.Response response = api.send(body.method(), body.path(), ADMIN, request.toString(),
                            "application/json");
                    assertFieldRefused(response, "/" + field.getKey(), "(got " + value.getKey() + ")");
                    assertThat(response.json().at("/errors/0/message").asText()).as(response.toString())
                            .startsWith(field.getValue() == Kind.STRING_MAP ? "must be an object whose values are strings"
                                    : field.getValue() == Kind.TEXT ? "must be a string" : "must be an integer");
                    requests++;
                }
            }
        }
        assertThat(requests).isGreaterThan(80);
        assertThat(rowCounts()).isEqualTo(before);
    }

    @Test
    void bodiesThatAreNotJsonObjectsAreRefused() {
        Map<String, Long> before = rowCounts();
        for (Body body : bodies()) {
            for (String notAnObject : List.of("[1]", "\"x\"", "1", "true", "null")) {
                Api.Response response = api.send(body.method(), body.path(), ADMIN, notAnObject, "application/json");
                assertBadRequest(response);
                assertThat(response.json().get("detail").asText()).as(body.path() + " " + notAnObject)
                        .startsWith("request body must be a JSON object (got ");
                assertThat(response.json().at("/errors/0/field").asText()).isEmpty(); // the pointer of the whole body
            }
        }
        Api.Response missing = api.send("POST", "/api/v1/tenants", ADMIN, null, "application/json");
        assertBadRequest(missing);
        assertThat(missing.json().get("detail").asText()).isEqualTo("request body is required: a JSON object");
        assertThat(rowCounts()).isEqualTo(before);
    }

    @Test
    void numbersOutOfRangeNameTheFieldAndTheRange() {
        String tokens = "/api/v1/environments/" + environment + "/join-tokens";
        Map<String, Long> before = rowCounts();

        // issue #7 item 6: was "request body is not valid JSON" without the field
        assertFieldRefused(post(tokens, "{\"uses\":2147483648}"), "/uses", "must be an integer from 1 to 100");
        assertFieldRefused(post(tokens, "{\"uses\":0}"), "/uses", "must be an integer from 1 to 100");
        assertFieldRefused(post(tokens, "{\"uses\":101}"), "/uses", "must be an integer from 1 to 100");
        assertFieldRefused(post(tokens, "{\"uses\":-1}"), "/uses", "must be an integer from 1 to 100");
        assertFieldRefused(post(tokens, "{\"uses\":1e2}"), "/uses", "must be an integer from 1 to 100");
        assertFieldRefused(post(tokens, "{\"ttlSeconds\":" + "9".repeat(30) + "}"), "/ttlSeconds",
                "must be an integer from 1 to");
        assertFieldRefused(post(tokens, "{\"ttlSeconds\":0}"), "/ttlSeconds", "must be an integer from 1 to");
        assertFieldRefused(post(tokens, "{\"ttlSeconds\":-600}"), "/ttlSeconds", "must be an integer from 1 to");
        assertFieldRefused(post(tokens, "{\"ttlSeconds\":" + (MAX_TTL_SECONDS + 1) + "}"), "/ttlSeconds",
                "must be an integer from 1 to " + MAX_TTL_SECONDS + " (outpost.join-token-max-ttl)");

        assertThat(rowCounts()).isEqualTo(before);
    }

    @Test
    void joinTokensTakeTheDocumentedRangesAndNullMeansTheDefault() {
        String tokens = "/api/v1/environments/" + environment + "/join-tokens";
        assertThat(created(post(tokens, "{\"ttlSeconds\":1,\"uses\":1}")).get("uses").asInt()).isEqualTo(1);
        assertThat(created(post(tokens, "{\"ttlSeconds\":" + MAX_TTL_SECONDS + ",\"uses\":100}")).get("uses").asInt())
                .isEqualTo(100);
        assertThat(created(post(tokens, "{\"ttlSeconds\":null,\"uses\":null}")).get("uses").asInt()).isEqualTo(1);
        assertThat(created(api.send("POST", tokens, ADMIN, null, null)).get("uses").asInt()).isEqualTo(1);
    }

    @Test
    void unknownFieldsAreRefusedSoATypoIsNotSilentlyDropped() {
        Map<String, Long> before = rowCounts();
        Api.Response typo = post("/api/v1/deployments", "{\"environmentId\":\"" + environment + "\",\"releaseId\":\""
                + release + "\",\"name\":\"typo\",\"replica\":2}");
        assertFieldRefused(typo, "/replica", "is not a field of this request");
        assertThat(typo.json().at("/errors/0/message").asText()).contains("environmentId", "parameters");
        assertFieldRefused(patch("{\"releaseid\":\"" + release + "\"}"), "/releaseid", "is not a field of this request");
        assertFieldRefused(post("/api/v1/environments/" + environment + "/join-tokens", "{\"use\":2}"), "/use",
                "is not a field of this request (its fields: ttlSeconds, uses)");
        assertFieldRefused(post("/api/v1/tenants", "{\"name\":\"x\",\"a/b~c\":1}"), "/a~1b~0c",
                "is not a field of this request");
        assertThat(rowCounts()).isEqualTo(before);
    }

    @Test
    void everyProblemOfABodyIsListedAtOnce() {
        Api.Response response = post("/api/v1/environments",
                "{\"tenantId\":5,\"name\":true,\"cloud\":[\"aws\"],\"region\":1.5,\"clusterName\":null,\"extra\":1}");
        assertBadRequest(response);
        assertThat(response.json().get("detail").asText()).isEqualTo("5 fields are invalid");
        assertThat(response.json().get("errors")).extracting(e -> e.get("field").asText())
                .containsExactlyInAnyOrder("/tenantId", "/name", "/cloud", "/region", "/extra");

        Api.Response parameters = post("/api/v1/deployments", "{\"environmentId\":\"" + environment
                + "\",\"releaseId\":\"" + release + "\",\"name\":\"many\",\"parameters\":{\"a\":1,\"b\":null,\"c\":\"ok\","
                + "\"d\":[\"x\"]}}");
        assertBadRequest(parameters);
        assertThat(parameters.json().get("errors")).extracting(e -> e.get("field").asText())
                .containsExactlyInAnyOrder("/parameters/a", "/parameters/b", "/parameters/d");
    }

    @Test
    void malformedJsonKeepsItsDocumentedDetailWithoutJacksonWording() {
        Map<String, Long> before = rowCounts();
        for (String broken : List.of("{\"name\": \"bro", "{name: 1}", "{\"name\":\"a\"} x", "{\"name\":\"a\"} {\"name\":\"b\"}",
                "{\"name\":\"a\",\"name\":\"b\"}", "{\"name\":\"a\",}")) {
            Api.Response response = post("/api/v1/tenants", broken);
            assertBadRequest(response);
            assertThat(response.json().get("detail").asText()).as(broken).startsWith("request body is not valid JSON");
        }
        assertThat(post("/api/v1/tenants", "{\"name\": \"bro").json().get("detail").asText())
                .contains("line 1, column");
        assertThat(post("/api/v1/tenants", "{\"name\":\"a\",\"name\":\"b\"}").json().get("detail").asText())
                .isEqualTo("request body is not valid JSON: field 'name' appears more than once (line 1, column 19)");
        // past the parser's limits: nesting 2000 deep, a number of 2000 digits
        for (String excessive : List.of("{\"name\":" + "[".repeat(2000) + "]".repeat(2000) + "}",
                "{\"name\":" + "1".repeat(2000) + "}")) {
            Api.Response response = post("/api/v1/tenants", excessive);
            assertBadRequest(response);
            assertThat(response.json().get("detail").asText()).isEqualTo(
                    "request body is not valid JSON: a number, string or nesting depth exceeds the hub's limits");
        }
        assertThat(rowCounts()).isEqualTo(before);
    }

    private Api.Response post(String path, String body) {
        return api.send("POST", path, ADMIN, body, "application/json");
    }

    private Api.Response patch(String body) {
        return api.send("PATCH", "/api/v1/deployments/" + deployment, ADMIN, body, "application/json");
    }

    enum Kind { TEXT, INTEGER, STRING_MAP }

    /** A request body: where it goes, a valid instance, and its fields' kinds. */
    record Body(String method, String path, ObjectNode valid, Map<String, Kind> fields) {
    }

    /** Every request body of the API, each with a valid instance (which the refusals must not write). */
    private List<Body> bodies() {
        return List.of(
                body("POST", "/api/v1/tenants", Map.of("name", "t-" + suffix()), Map.of("name", Kind.TEXT)),
                body("POST", "/api/v1/tenants/" + tenant + "/tokens", Map.of("name", "ci"), Map.of("name", Kind.TEXT)),
                body("POST", "/api/v1/environments", Map.of("tenantId", tenant, "name", "e-" + suffix(), "cloud", "aws",
                        "region", "eu-west-1", "clusterName", "prod"), Map.of("tenantId", Kind.TEXT, "name", Kind.TEXT,
                        "cloud", Kind.TEXT, "region", Kind.TEXT, "clusterName", Kind.TEXT)),
                body("POST", "/api/v1/environments/" + environment + "/join-tokens", Map.of("ttlSeconds", 600, "uses", 1),
                        Map.of("ttlSeconds", Kind.INTEGER, "uses", Kind.INTEGER)),
                body("POST", "/api/v1/releases", Map.of("serviceName", "s-" + suffix(), "version", "1.0.0",
                        "manifests", MANIFESTS, "defaultParameters", Map.of("replicas", "1")),
                        Map.of("serviceName", Kind.TEXT, "version", Kind.TEXT, "manifests", Kind.TEXT,
                                "defaultParameters", Kind.STRING_MAP)),
                body("POST", "/api/v1/deployments", Map.of("environmentId", environment, "releaseId", release,
                        "name", "d-" + suffix(), "namespace", "apps", "parameters", Map.of("replicas", "2")),
                        Map.of("environmentId", Kind.TEXT, "releaseId", Kind.TEXT, "name", Kind.TEXT,
                                "namespace", Kind.TEXT, "parameters", Kind.STRING_MAP)),
                body("PATCH", "/api/v1/deployments/" + deployment, Map.of("releaseId", release,
                        "parameters", Map.of("replicas", "2")), Map.of("releaseId", Kind.TEXT, "parameters", Kind.STRING_MAP)));
    }

    private static Body body(String method, String path, Map<String, Object> valid, Map<String, Kind> fields) {
        return new Body(method, path, JSON.valueToTree(new LinkedHashMap<>(valid)), fields);
    }
}
