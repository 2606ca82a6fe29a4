package dev.outpost.hub.packages.parameters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.outpost.hub.packages.ParameterViolation;
import dev.outpost.hub.packages.manifest.PlainYaml;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParameterSchemaTest {
    private static final String SCHEMA = """
            type: object
            required: [size]
            additionalProperties: false
            properties:
              size: {type: string, enum: [small, large]}
              replicas: {type: integer, minimum: 1, maximum: 5, default: 1}
              memory: {type: string, pattern: "^[0-9]+Mi$", default: 256Mi}
              tls:
                type: object
                properties:
                  enabled: {type: boolean, default: false}
                  issuer: {type: string}
              password: {type: string, secret: true, minLength: 40}
            """;

    @Test
    void everyViolationIsListedWithItsJsonPointer() throws InvalidSchemaException {
        ParameterSchema schema = schema(SCHEMA);

        List<ParameterViolation> violations = schema.validate(Map.of(
                "replicas", 9, "memory", "lots", "tls", Map.of("enabled", "yes"), "colour", "red"));

        assertThat(violations).extracting(ParameterViolation::pointer)
                .containsExactlyInAnyOrder("/size", "/replicas", "/memory", "/tls/enabled", "/colour");
        assertThat(violations).filteredOn(v -> v.pointer().equals("/replicas")).singleElement()
                .satisfies(v -> assertThat(v.message()).contains("5"));
        assertThat(violations).filteredOn(v -> v.pointer().equals("/colour")).singleElement()
                .satisfies(v -> assertThat(v.message()).contains("colour").contains("not defined in the schema"));
    }

    @Test
    void aPropertyTheSchemaDoesNotAllowIsPointedAtItselfAlsoInsideObjects() throws InvalidSchemaException {
        ParameterSchema schema = schema("""
                type: object
                additionalProperties: false
                properties:
                  tls:
                    type: object
                    unevaluatedProperties: false
                    properties:
                      enabled: {type: boolean}
                """);

        List<ParameterViolation> violations = schema.validate(Map.of("replica", 2, "tls", Map.of("on/off~", true)));

        assertThat(violations).extracting(ParameterViolation::pointer)
                .containsExactlyInAnyOrder("/replica", "/tls/on~1off~0");
    }

    @Test
    void defaultsAreAppliedThroughNestedObjectsWithoutOverridingGivenValues() throws InvalidSchemaException {
        ParameterSchema schema = schema(SCHEMA);

        assertThat(schema.withDefaults(Map.of("size", "small", "replicas", 3)))
                .containsEntry("replicas", 3).containsEntry("memory", "256Mi")
                .containsEntry("tls", Map.of("enabled", false));
    }

    @Test
    void secretsAreNamedAndGetStandInsThatSatisfyTheirLength() throws InvalidSchemaException {
        ParameterSchema schema = schema(SCHEMA);

        assertThat(schema.secrets()).containsExactly("password");
        Map<String, Object> filled = schema.withSecretStandIns(Map.of("size", "small"));
        assertThat(schema.validate(filled)).isEmpty();
        assertThat(schema.withSecretStandIns(Map.of("password", "given"))).containsEntry("password", "given");
    }

    @Test
    void aSchemaBreakingTheMetaSchemaIsRefusedNamingTheKeyword() {
        assertThat(problems("type: object\nproperties: {replicas: {type: integr, minimum: one}}\n"))
                .anySatisfy(p -> assertThat(p).startsWith("parameters.properties.replicas.minimum:"))
                .anySatisfy(p -> assertThat(p).startsWith("parameters.properties.replicas.type:"));
    }

    @Test
    void otherDialectsRemoteReferencesNonObjectsAndMisusedSecretsAreRefused() {
        assertThat(problems("""
                $schema: http://json-schema.org/draft-07/schema#
                type: array
                properties:
                  a: {$ref: "https://example.com/evil.json"}
                  b: {type: integer, secret: true}
                  c: {type: string, secret: "yes"}
                  d: {type: string, secret: true, default: hunter2}
                """)).containsExactly(
                "parameters.$schema: must be https://json-schema.org/draft/2020-12/schema (draft 2020-12) or absent",
                "parameters.type: must be \"object\" (parameters are named values)",
                "parameters.properties.a.$ref: only references within the schema (\"#/...\") are allowed",
                "parameters.properties.b.secret: only a property of type \"string\" can be secret",
                "parameters.properties.c.secret: must be true or false",
                "parameters.properties.d.default: a secret has no default; the hub generates it");
    }

    @SuppressWarnings("unchecked")
    private static ParameterSchema schema(String yaml) throws InvalidSchemaException {
        return ParameterSchema.of((Map<String, Object>) PlainYaml.plain(PlainYaml.loader().load(yaml)));
    }

    private static List<String> problems(String yaml) {
        InvalidSchemaException e = catchThrowableOfType(InvalidSchemaException.class, () -> schema(yaml));
        assertThat(e).as("must be refused").isNotNull();
        return e.problems();
    }
}
