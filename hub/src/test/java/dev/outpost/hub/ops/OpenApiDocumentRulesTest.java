package dev.outpost.hub.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.hub.testsupport.Api;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Rules every operation of the document follows, so a route added later cannot leave out the
 * statuses the hub answers for every request of its kind: the ones the HTTP layer and the auth filter
 * produce, 404 for an id in the path, the body statuses for a request body, and problem+json for all.
 */
class OpenApiDocumentRulesTest {
    private static final JsonNode DOCUMENT = Api.CONTRACT.document();
    private static final List<String> METHODS = List.of("get", "post", "put", "patch", "delete");

    @Test
    void everyOperationDocumentsTheStatusesItsKindOfRequestCanGet() {
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, JsonNode> path : DOCUMENT.path("paths").properties()) {
            for (String method : METHODS) {
                JsonNode operation = path.getValue().path(method);
                if (operation.isMissingNode() || !path.getKey().startsWith("/api/v1/")
                        || path.getKey().equals("/api/v1/openapi.yaml")) {
                    continue;
                }
                List<String> expected = new ArrayList<>(List.of("400", "401", "414", "429", "431", "500"));
                if (path.getKey().contains("{")) {
                    expected.add("404");
                }
                if (operation.has("requestBody")) {
                    expected.addAll(List.of("413", "415"));
                }
                for (String status : expected) {
                    if (!operation.path("responses").has(status)) {
                        missing.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey() + " lacks " + status);
                    }
                }
                if (!operation.path("responses").propertyNames().stream().anyMatch(s -> s.startsWith("2"))) {
                    missing.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey() + " has no success status");
                }
            }
        }
        assertThat(missing).isEmpty();
    }

    @Test
    void everyErrorResponseIsAProblem() {
        List<String> notProblems = new ArrayList<>();
        DOCUMENT.path("components").path("responses").properties().forEach(response -> {
            JsonNode content = response.getValue().path("content");
            if (content.propertyNames().size() != 1 || !content.has("application/problem+json")) {
                notProblems.add(response.getKey());
            }
        });
        assertThat(notProblems).isEmpty();
    }

    @Test
    void enumsAreWrittenAsTheApiSendsThemInLowerCase() {
        List<String> upper = new ArrayList<>();
        DOCUMENT.path("components").path("schemas").properties().forEach(schema -> collectEnums(schema.getKey(),
                schema.getValue(), upper));
        // Micronaut's health status is the one upper-case value the hub sends.
        assertThat(upper).containsOnly("Health.status: UP", "Health.status: DOWN", "Health.status: UNKNOWN");
    }

    private static void collectEnums(String where, JsonNode schema, List<String> upper) {
        schema.path("enum").forEach(value -> {
            if (value.isString() && !value.asString().equals(value.asString().toLowerCase(Locale.ROOT))) {
                upper.add(where + ": " + value.asString());
            }
        });
        schema.path("properties").properties().forEach(p -> collectEnums(where + "." + p.getKey(), p.getValue(), upper));
    }
}
