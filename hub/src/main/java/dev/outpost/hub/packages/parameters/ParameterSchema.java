package dev.outpost.hub.packages.parameters;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaException;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.AnnotationKeyword;
import com.networknt.schema.path.PathType;
import dev.outpost.hub.packages.ParameterViolation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A package's parameters: a JSON Schema (draft 2020-12) of an object, checked against the draft's
 * meta-schema, with {@code secret: true} marking string properties the hub generates per deployment.
 * Validates deployments' parameters (every violation, each with its JSON pointer) and applies defaults.
 */
public final class ParameterSchema {
    /** The dialect every package schema is read as. */
    public static final String DIALECT = "https://json-schema.org/draft/2020-12/schema";
    /** Most violations listed for one set of parameters. */
    public static final int MAX_VIOLATIONS = 100;
    /** Keywords whose violation names a property of the object they check. */
    private static final Set<String> PROPERTY_KEYWORDS = Set.of("required", "additionalProperties",
            "unevaluatedProperties");

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** Draft 2020-12 plus {@code secret}, an annotation of Outpost's (it validates nothing). */
    private static final Dialect DIALECT_WITH_SECRET = Dialect.builder(Dialects.getDraft202012())
            .keyword(new AnnotationKeyword("secret"))
            .build();
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(DIALECT_WITH_SECRET,
            b -> b.schemaRegistryConfig(SchemaRegistryConfig.builder().pathType(PathType.JSON_POINTER).build()));

    private final Map<String, Object> document;
    private final Schema schema;
    private final Set<String> secrets;

    private ParameterSchema(Map<String, Object> document, Schema schema, Set<String> secrets) {
        this.document = document;
        this.schema = schema;
        this.secrets = secrets;
    }

    /**
     * The schema in {@code document} (plain JSON values), or every problem with it: not draft 2020-12,
     * not of an object, breaking the meta-schema, remote references, misused {@code secret}.
     */
    public static ParameterSchema of(Map<String, Object> document) throws InvalidSchemaException {
        List<String> problems = new ArrayList<>();
        Object dialect = document.get("$schema");
        if (dialect != null && !DIALECT.equals(dialect) && !(DIALECT + "#").equals(dialect)) {
            problems.add("parameters.$schema: must be " + DIALECT + " (draft 2020-12) or absent");
        }
        if (!"object".equals(document.get("type"))) {
            problems.add("parameters.type: must be \"object\" (parameters are named values)");
        }
        remoteReferences("parameters", document, problems);
        JsonNode node = JSON.valueToTree(document);
        if (problems.isEmpty()) {
            Schema meta = REGISTRY.getSchema(SchemaLocation.of(DIALECT));
            for (Error error : meta.validate(node)) {
                problems.add("parameters" + dotted(error.getInstanceLocation().toString()) + ": " + error.getMessage());
            }
        }
        Set<String> secrets = secrets(document, problems);
        if (!problems.isEmpty()) {
            throw new InvalidSchemaException(problems);
        }
        try {
            Schema schema = REGISTRY.getSchema(node);
            schema.initializeValidators();
            return new ParameterSchema(document, schema, secrets);
        } catch (SchemaException | IllegalArgumentException e) {
            throw new InvalidSchemaException(List.of("parameters: " + e.getMessage()));
        }
    }

    /** The top-level properties marked {@code secret: true}, in schema order. */
    public Set<String> secrets() {
        return secrets;
    }

    /** The names of the top-level properties the schema declares. */
    public Set<String> declared() {
        return properties(document).keySet();
    }

    /** Every way {@code parameters} breaks the schema, each with its JSON pointer, at most MAX_VIOLATIONS. */
    public List<ParameterViolation> validate(Map<String, Object> parameters) {
        List<ParameterViolation> violations = new ArrayList<>();
        for (Error error : schema.validate(JSON.valueToTree(parameters))) {
            String pointer = error.getInstanceLocation().toString();
            // These keywords fail on an object but are about one of its properties (missing or not
            // allowed): point at that property, so a misspelt parameter is named where it is.
            if (PROPERTY_KEYWORDS.contains(error.getKeyword()) && error.getProperty() != null) {
                pointer = pointer + "/" + escape(error.getProperty());
            }
            String message = error.getMessage();
            if (message.startsWith(error.getInstanceLocation().toString() + ": ")) {
                message = message.substring(error.getInstanceLocation().toString().length() + 2);
            }
            violations.add(new ParameterViolation(pointer.isEmpty() ? "/" : pointer, message));
            if (violations.size() >= MAX_VIOLATIONS) {
                break;
            }
        }
        return violations;
    }

    /**
     * {@code parameters} with the schema's {@code default}s filled in where a value is absent, through
     * nested objects; {@code parameters} is not changed.
     */
    public Map<String, Object> withDefaults(Map<String, Object> parameters) {
        return Defaults.apply(document, parameters);
    }

    /**
     * Stand-in values for the secrets that {@code parameters} lacks: what inspection and
     * {@code checkParameters} render and validate with, since the hub generates the real ones.
     */
    public Map<String, Object> withSecretStandIns(Map<String, Object> parameters) {
        Map<String, Object> out = new LinkedHashMap<>(parameters);
        Map<String, Object> properties = properties(document);
        for (String secret : secrets) {
            if (!out.containsKey(secret)) {
                Object spec = properties.get(secret);
                int min = spec instanceof Map<?, ?> m && m.get("minLength") instanceof Number n ? n.intValue() : 0;
                out.put(secret, "x".repeat(Math.max(32, Math.min(min, 4096))));
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> properties(Map<String, Object> schema) {
        return schema.get("properties") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static Set<String> secrets(Map<String, Object> document, List<String> problems) {
        Set<String> secrets = new LinkedHashSet<>();
        properties(document).forEach((name, spec) -> {
            if (!(spec instanceof Map<?, ?> m) || !m.containsKey("secret")) {
                return;
            }
            Object secret = m.get("secret");
            if (!(secret instanceof Boolean)) {
                problems.add("parameters.properties." + name + ".secret: must be true or false");
            } else if ((Boolean) secret) {
                if (!"string".equals(m.get("type"))) {
                    problems.add("parameters.properties." + name + ".secret: only a property of type \"string\" can be secret");
                } else if (m.containsKey("default")) {
                    problems.add("parameters.properties." + name + ".default: a secret has no default; the hub generates it");
                } else {
                    secrets.add(name);
                }
            }
        });
        return secrets;
    }

    /** Refuses {@code $ref}s that are not within the schema: the hub never fetches schemas from elsewhere. */
    private static void remoteReferences(String path, Object node, List<String> problems) {
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> {
                String key = String.valueOf(k);
                if ((key.equals("$ref") || key.equals("$dynamicRef")) && !(v instanceof String s && s.startsWith("#"))) {
                    problems.add(path + "." + key + ": only references within the schema (\"#/...\") are allowed");
                } else {
                    remoteReferences(path + "." + key, v, problems);
                }
            });
        } else if (node instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                remoteReferences(path + "[" + i + "]", list.get(i), problems);
            }
        }
    }

    /** A JSON pointer ("/properties/x") as a key path suffix (".properties.x"). */
    private static String dotted(String pointer) {
        return pointer.isEmpty() ? "" : pointer.replace('/', '.');
    }

    private static String escape(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }
}
