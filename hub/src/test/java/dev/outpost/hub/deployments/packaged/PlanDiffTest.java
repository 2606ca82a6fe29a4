package dev.outpost.hub.deployments.packaged;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlanDiffTest {

    @Test
    void addedRemovedAndChangedObjectsWithTheirFieldPaths() throws Exception {
        List<PlannedObject> before = PlanObjects.parse("app", """
                apiVersion: apps/v1
                kind: StatefulSet
                metadata: {name: redis, namespace: ns}
                spec:
                  replicas: 1
                  template: {spec: {containers: [{name: redis, image: "redis:7"}]}}
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: old, namespace: ns}
                data: {a: "1"}
                """);
        List<PlannedObject> after = PlanObjects.parse("app", """
                apiVersion: apps/v1
                kind: StatefulSet
                metadata: {name: redis, namespace: ns, labels: {app.kubernetes.io/name: redis}}
                spec:
                  replicas: 3
                  template: {spec: {containers: [{name: redis, image: "redis:8"}]}}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: redis, namespace: ns}
                """);

        PlanDiff.Difference diff = PlanDiff.between(before, after);

        assertThat(diff.added()).extracting(PlannedObject::kind).containsExactly("Service");
        assertThat(diff.removed()).extracting(PlannedObject::name).containsExactly("old");
        assertThat(diff.changed()).hasSize(1);
        assertThat(diff.changed().getFirst().fields()).containsExactly("metadata.labels",
                "spec.replicas", "spec.template.spec.containers[0].image");
        assertThat(diff.empty()).isFalse();
    }

    @Test
    void theSamePlanIsNoChangeAndKeysWithDotsAreQuoted() throws Exception {
        String yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {\"a.b\": \"1\"}\n";
        List<PlannedObject> objects = PlanObjects.parse("s", yaml);
        assertThat(PlanDiff.between(objects, PlanObjects.parse("s", yaml)).empty()).isTrue();

        List<PlannedObject> changed = PlanObjects.parse("s", yaml.replace("\"1\"", "\"2\""));
        assertThat(PlanDiff.between(objects, changed).changed().getFirst().fields()).containsExactly("data['a.b']");
    }

    @Test
    void aSecretsChangedKeysAreNamedWithoutTheirValues() throws Exception {
        List<PlannedObject> before = PlanObjects.parse("s", "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n"
                + "stringData: {password: old-value}\n");
        List<PlannedObject> after = PlanObjects.parse("s", "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n"
                + "stringData: {password: new-value}\n");

        List<String> fields = PlanDiff.between(before, after).changed().getFirst().fields();

        assertThat(fields).containsExactly("stringData.password");
        assertThat(String.join(" ", fields)).doesNotContain("old-value", "new-value");
    }

    @Test
    void manyChangedFieldsAreBounded() {
        Map<String, Object> a = new java.util.LinkedHashMap<>();
        Map<String, Object> b = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 500; i++) {
            a.put("k" + i, i);
            b.put("k" + i, i + 1);
        }
        PlannedObject before = new PlannedObject("s", "v1", "ConfigMap", "", "c", Map.of("data", a));
        PlannedObject after = new PlannedObject("s", "v1", "ConfigMap", "", "c", Map.of("data", b));

        List<String> fields = new ArrayList<>(PlanDiff.between(List.of(before), List.of(after)).changed().getFirst().fields());

        assertThat(fields).hasSize(PlanDiff.MAX_FIELDS);
        assertThat(fields.getLast()).isEqualTo("… and 401 more");
    }
}
