package dev.outpost.protocol.contract;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The hub's OpenAPI document used as a test oracle: says what is wrong with a response the hub gave,
 * measured against what the document promises for that path, method and status (documented status,
 * content type, required headers, body schema). Both test clients (hub and e2e) run every response
 * they receive through {@link #check}, so a response that drifts from the document fails the test
 * that saw it.
 */
public final class OpenApiContract {
    /** Where the document is registered for the schema validator; only a name, never fetched. */
    private static final String DOCUMENT_IRI = "https://outpost.dev/contract/openapi.json";
    private static final String PROBLEM_POINTER = "/components/schemas/Problem";
    private static final String PROBLEM_TYPE = "application/problem+json";
    private static final List<String> METHODS = List.of("get", "put", "post", "delete", "options", "head", "patch",
            "trace");

    private final JsonNode document;
    private final SchemaRegistry registry;
    private final List<PathTemplate> paths;
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

    private OpenApiContract(JsonNode document) {
        this.document = document;
        String json = JsonMapper.shared().writeValueAsString(document);
        this.registry = SchemaRegistry.withDefaultDialect(Dialects.getOpenApi31(),
                builder -> builder.schemas(Map.of(DOCUMENT_IRI, json)));
        List<PathTemplate> templates = new ArrayList<>();
        document.path("paths").propertyNames().forEach(template -> templates.add(new PathTemplate(template)));
        // Literal segments beat placeholders, e.g. /api/v1/openapi.yaml before a /api/v1/{x}.
        templates.sort(Comparator.comparingInt(PathTemplate::placeholders));
        this.paths = List.copyOf(templates);
    }

    /** The contract from the text of an OpenAPI 3.1 document in YAML (or JSON, which is YAML too). */
    public static OpenApiContract fromYaml(String yaml) {
        return new OpenApiContract(YAMLMapper.shared().readTree(yaml));
    }

    /** The document itself, for tests of its own rules. */
    public JsonNode document() {
        return document;
    }

    /** The document's path templates, e.g. /api/v1/tenants/{id}, with their methods in upper case. */
    public Map<String, List<String>> operations() {
        Map<String, List<String>> operations = new TreeMap<>();
        for (PathTemplate path : paths) {
            JsonNode item = document.path("paths").path(path.template());
            operations.put(path.template(), METHODS.stream().filter(item::has)
                    .map(m -> m.toUpperCase(Locale.ROOT)).toList());
        }
        return operations;
    }

    /** As {@link #check(String, String, int, HttpHeaders, String)} for the response a client received. */
    public void check(String method, HttpResponse<String> response) {
        URI uri = response.uri();
        check(method, uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()),
                response.statusCode(), response.headers(), response.body());
    }

    /** Fails with every mismatch if the response does not match what the document promises. */
    public void check(String method, String path, int status, HttpHeaders headers, String body) {
        List<String> violations = violations(method, path, status, headers, body);
        if (!violations.isEmpty()) {
            throw new AssertionError("the response to " + method + " " + path + " (" + status + ") breaks the "
                    + "OpenAPI document:\n  - " + String.join("\n  - ", violations) + "\nbody: " + abbreviate(body));
        }
    }

    /**
     * What is wrong with the response to {@code method path} (the path as sent, query string allowed),
     * empty when nothing is. A path the document lacks must be answered with a problem (the hub's 404
     * for unknown routes, or 401 before it); a method the path lacks with a 405 problem.
     */
    public List<String> violations(String method, String path, int status, HttpHeaders headers, String body) {
        String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        Optional<PathTemplate> template = paths.stream().filter(t -> t.matches(bare)).findFirst();
        String contentType = headers.firstValue("Content-Type").map(OpenApiContract::mediaType).orElse("");
        List<String> violations = new ArrayList<>();
        if (template.isEmpty() || !document.path("paths").path(template.get().template())
                .has(method.toLowerCase(Locale.ROOT))) {
            // Not an operation of the document: only an error can be right.
            String what = template.isEmpty() ? "a path the document lacks" : "a method the document lacks for "
                    + template.get().template();
            if (status < 400) {
                violations.add(what + " was answered " + status + " instead of an error");
            }
            requireProblem(violations, status, contentType, body);
            return violations;
        }
        String operationPointer = "/paths/" + escape(template.get().template()) + "/" + method.toLowerCase(Locale.ROOT);
        JsonNode responses = document.at(operationPointer + "/responses");
        String code = Integer.toString(status);
        String responseKey = responses.has(code) ? code : responses.has("default") ? "default" : null;
        if (responseKey == null) {
            violations.add("status " + status + " is not documented for " + method + " " + template.get().template()
                    + " (documented: " + String.join(", ", responses.propertyNames()) + ")");
            if (status >= 400) {
                requireProblem(violations, status, contentType, body);
            }
            return violations;
        }
        String responsePointer = operationPointer + "/responses/" + escape(responseKey);
        JsonNode response = resolve(document.at(responsePointer));
        responsePointer = pointerOf(document.at(responsePointer), responsePointer);
        response.path("headers").properties().forEach(header -> {
            if (header.getValue().path("required").asBoolean(false) && headers.firstValue(header.getKey()).isEmpty()) {
                violations.add("header " + header.getKey() + " is required on " + status + " but missing");
            }
        });
        JsonNode content = response.path("content");
        if (content.isMissingNode() || content.isEmpty()) {
            if (body != null && !body.isEmpty()) {
                violations.add(status + " is documented without a body, but one came (" + contentType + ")");
            }
            return violations;
        }
        if (!content.has(contentType)) {
            violations.add("content type '" + contentType + "' is not documented for " + status + " (documented: "
                    + String.join(", ", content.propertyNames()) + ")");
            return violations;
        }
        if (contentType.endsWith("json")) {
            violations.addAll(schemaViolations(responsePointer + "/content/" + escape(contentType) + "/schema", body));
        }
        return violations;
    }

    /** What is wrong with {@code json} as an instance of the schema at {@code pointer} in the document. */
    public List<String> schemaViolations(String pointer, String json) {
        if (json == null || json.isBlank()) {
            return List.of("the body is empty, but a JSON body is documented");
        }
        Schema schema = schemas.computeIfAbsent(pointer,
                p -> registry.getSchema(SchemaLocation.of(DOCUMENT_IRI + "#" + p)));
        List<Error> errors;
        try {
            errors = schema.validate(json, InputFormat.JSON,
                    context -> context.executionConfig(config -> config.formatAssertionsEnabled(true)));
        } catch (RuntimeException e) {
            return List.of("the body is not JSON: " + e.getMessage());
        }
        return errors.stream().map(e -> e.getInstanceLocation() + ": " + e.getMessage()).toList();
    }

    private void requireProblem(List<String> violations, int status, String contentType, String body) {
        if (status < 400) {
            return;
        }
        if (!PROBLEM_TYPE.equals(contentType)) {
            violations.add("an error must be " + PROBLEM_TYPE + ", got '" + contentType + "'");
            return;
        }
        violations.addAll(schemaViolations(PROBLEM_POINTER, body));
    }

    /** A response object, following one $ref to components/responses. */
    private JsonNode resolve(JsonNode node) {
        return node.has("$ref") ? document.at(node.get("$ref").asString().substring(1)) : node;
    }

    private static String pointerOf(JsonNode node, String pointer) {
        return node.has("$ref") ? node.get("$ref").asString().substring(1) : pointer;
    }

    /** A JSON pointer token (RFC 6901). */
    static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    private static String mediaType(String contentType) {
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    private static String abbreviate(String body) {
        return body == null ? "(none)" : body.length() <= 2000 ? body : body.substring(0, 2000) + "…";
    }

    /** One path of the document; a {placeholder} matches one non-empty segment. */
    private record PathTemplate(String template, String[] segments) {
        PathTemplate(String template) {
            this(template, template.split("/", -1));
        }

        int placeholders() {
            return (int) Arrays.stream(segments).filter(s -> s.startsWith("{")).count();
        }

        boolean matches(String path) {
            String[] actual = path.split("/", -1);
            if (actual.length != segments.length) {
                return false;
            }
            for (int i = 0; i < segments.length; i++) {
                boolean placeholder = segments[i].startsWith("{") && segments[i].endsWith("}");
                if (placeholder ? actual[i].isEmpty() : !segments[i].equals(actual[i])) {
                    return false;
                }
            }
            return true;
        }
    }
}
