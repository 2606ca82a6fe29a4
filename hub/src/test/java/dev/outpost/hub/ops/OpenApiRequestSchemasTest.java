package dev.outpost.hub.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.hub.deployments.DeploymentService;
import dev.outpost.hub.deployments.lifecycle.RevisionService;
import dev.outpost.hub.enrollment.JoinTokenController;
import dev.outpost.hub.environments.EnvironmentService;
import dev.outpost.hub.releases.ReleaseLifecycle;
import dev.outpost.hub.releases.ReleaseService;
import dev.outpost.hub.tenants.TenantController;
import dev.outpost.hub.testsupport.Api;
import io.swagger.v3.oas.annotations.media.Schema;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The request records the hub binds and the document's request schemas agree: the same fields (the
 * document refuses others with additionalProperties: false, as the binder does), the same required
 * ones, and every limit a record declares in its @Schema (which RequestBinder enforces) is the
 * document's limit too.
 */
class OpenApiRequestSchemasTest {
    /** Request body record → its schema in components/schemas. */
    private static final Map<Class<? extends Record>, String> BODIES = Map.of(
            TenantController.NameRequest.class, "NameRequest",
            EnvironmentService.NewEnvironment.class, "NewEnvironment",
            JoinTokenController.JoinTokenRequest.class, "JoinTokenRequest",
            ReleaseService.NewRelease.class, "NewRelease",
            DeploymentService.NewDeployment.class, "NewDeployment",
            DeploymentService.DeploymentChange.class, "DeploymentChange",
            ReleaseLifecycle.DeprecateRequest.class, "DeprecateRequest",
            ReleaseLifecycle.YankRequest.class, "YankRequest",
            RevisionService.RollbackRequest.class, "RollbackRequest");

    private static final JsonNode DOCUMENT = Api.CONTRACT.document();

    @Test
    void everyRequestSchemaHasExactlyTheRecordsFieldsRequiresTheRequiredOnesAndRefusesOthers() {
        BODIES.forEach((type, name) -> {
            JsonNode schema = DOCUMENT.at("/components/schemas/" + name);
            assertThat(schema.path("additionalProperties").asBoolean(true)).as(name + " additionalProperties")
                    .isFalse();
            assertThat(new TreeSet<>(schema.path("properties").propertyNames())).as(name + " fields")
                    .isEqualTo(new TreeSet<>(Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName)
                            .toList()));
            assertThat(new TreeSet<>(schema.path("required").valueStream().map(JsonNode::asString).toList()))
                    .as(name + " required fields")
                    .isEqualTo(new TreeSet<>(Arrays.stream(type.getRecordComponents())
                            .filter(c -> declared(type, c) != null
                                    && declared(type, c).requiredMode() == Schema.RequiredMode.REQUIRED)
                            .map(RecordComponent::getName).toList()));
        });
    }

    @Test
    void everyLimitARecordDeclaresIsTheDocumentsLimit() {
        BODIES.forEach((type, name) -> {
            for (RecordComponent component : type.getRecordComponents()) {
                Schema declared = declared(type, component);
                if (declared == null) {
                    continue;
                }
                String where = name + "." + component.getName();
                JsonNode documented = effective(DOCUMENT.at("/components/schemas/" + name + "/properties/"
                        + component.getName()));
                if (declared.maxLength() != Integer.MAX_VALUE) {
                    assertThat(documented.path("maxLength").asInt(-1)).as(where + " maxLength")
                            .isEqualTo(declared.maxLength());
                }
                if (!declared.minimum().isEmpty()) {
                    assertThat(documented.path("minimum").asString()).as(where + " minimum").isEqualTo(declared.minimum());
                }
                if (!declared.maximum().isEmpty()) {
                    assertThat(documented.path("maximum").asString()).as(where + " maximum").isEqualTo(declared.maximum());
                }
                if (declared.allowableValues().length > 0) {
                    List<String> values = documented.path("enum").valueStream().map(JsonNode::asString).toList();
                    assertThat(values).as(where + " enum").containsExactlyInAnyOrder(declared.allowableValues());
                }
            }
        });
    }

    /** The schema a property resolves to: through $ref, allOf and the non-null branch of oneOf. */
    private static JsonNode effective(JsonNode schema) {
        if (schema.has("$ref")) {
            return effective(DOCUMENT.at(schema.get("$ref").asString().substring(1)));
        }
        for (String combinator : List.of("oneOf", "allOf")) {
            if (schema.has(combinator)) {
                for (JsonNode branch : schema.get(combinator)) {
                    if (!"null".equals(branch.path("type").asString(""))) {
                        JsonNode inner = effective(branch);
                        // A limit stated beside the combinator (e.g. a description with a maximum) wins.
                        return schema.has("maxLength") || schema.has("maximum") ? schema : inner;
                    }
                }
            }
        }
        return schema;
    }

    private static Schema declared(Class<?> type, RecordComponent component) {
        try {
            return type.getDeclaredField(component.getName()).getAnnotation(Schema.class);
        } catch (NoSuchFieldException e) {
            return null;
        }
    }
}
