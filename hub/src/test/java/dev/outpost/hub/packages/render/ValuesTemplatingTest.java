package dev.outpost.hub.packages.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.outpost.hub.packages.manifest.PlanSpec;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ValuesTemplatingTest {
    private final TemplateContext context = TemplateContext.of(
            Map.of("memory", "1Gi", "tls", Map.of("enabled", true), "replicas", 5),
            Set.of("memory", "tls", "replicas", "unset"),
            new PlanSpec("small", Map.of("replicas", 3, "persistence", false, "storage", "8Gi"), Map.of(), Map.of()),
            Map.of("replicas", 5),
            "shop", "shop-ns");

    @Test
    void aStringThatIsOneExpressionTakesTheValuesType() throws TemplatingException {
        Map<String, Object> out = ValuesTemplating.resolve("redis", Map.of(
                "replica", Map.of("replicaCount", "{{ plan.replicas }}", "persistence", "{{plan.persistence}}"),
                "tls", "{{ parameters.tls }}",
                "enabled", "{{ parameters.tls.enabled }}",
                "unset", "{{ parameters.unset }}"), context);

        assertThat(out.get("replica")).isEqualTo(Map.of("replicaCount", 5, "persistence", false));
        assertThat(out).containsEntry("tls", Map.of("enabled", true)).containsEntry("enabled", true);
        assertThat(out).containsEntry("unset", null);
    }

    @Test
    void aParameterTheDeploymentSetsOverridesThePlanValueOfTheSameName() throws TemplatingException {
        assertThat(ValuesTemplating.resolve("c", Map.of("n", "{{ plan.replicas }}"), context)).containsEntry("n", 5);
    }

    @Test
    void expressionsInsideTextAreWrittenAsTextAndHelmExpressionsAreLeftAlone() throws TemplatingException {
        Map<String, Object> out = ValuesTemplating.resolve("c", Map.of(
                "fullname", "{{ deployment.name }}-cache.{{ deployment.namespace }}",
                "size", "size={{ plan.storage }}",
                "list", List.of("{{ plan.replicas }}", "x"),
                "helm", "{{ .Release.Name }}-{{ include \"x\" . }}"), context);

        assertThat(out).containsEntry("fullname", "shop-cache.shop-ns").containsEntry("size", "size=8Gi")
                .containsEntry("list", List.of(5, "x"))
                .containsEntry("helm", "{{ .Release.Name }}-{{ include \"x\" . }}");
    }

    @Test
    void unknownReferencesAreAllReportedNamingComponentAndKey() {
        TemplatingException e = catchThrowableOfType(TemplatingException.class, () -> ValuesTemplating.resolve("redis",
                Map.of("a", Map.of("b", "{{ plan.replicaz }}"), "c", List.of("{{ parameters.nope }}"),
                        "d", "x-{{ deployment.id }}", "e", "x-{{ parameters.tls }}"), context));

        assertThat(e.problems()).containsExactlyInAnyOrder(
                "component redis, values key a.b: unknown reference plan.replicaz (the plan has no value 'replicaz')",
                "component redis, values key c[0]: unknown reference parameters.nope (no parameter 'nope' in the schema)",
                "component redis, values key d: unknown reference deployment.id (deployment has name and namespace)",
                "component redis, values key e: parameters.tls is an object or list; it can only stand alone in a "
                        + "value, not inside text");
    }
}
