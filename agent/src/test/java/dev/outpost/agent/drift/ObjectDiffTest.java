package dev.outpost.agent.drift;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ObjectDiffTest {

    private static Map<String, Object> statefulSet(int replicas, String image, String memory) {
        return new LinkedHashMap<>(Map.of("apiVersion", "apps/v1", "kind", "StatefulSet",
                "metadata", Map.of("name", "redis", "namespace", "ns",
                        "labels", Map.of("outpost.dev/deployment", "dep-1", "app", "redis")),
                "spec", Map.of("replicas", replicas, "template", Map.of("spec", Map.of("containers", List.of(
                        Map.of("name", "redis", "image", image,
                                "resources", Map.of("limits", Map.of("memory", memory, "cpu", "500m")))))))));
    }

    /** What the API server returns for the applied object: defaults, status and server metadata added. */
    private static Map<String, Object> served(int replicas, String image, String memory, String cpu) {
        return Map.of("apiVersion", "apps/v1", "kind", "StatefulSet",
                "metadata", Map.of("name", "redis", "namespace", "ns", "uid", "u-1", "resourceVersion", "42",
                        "generation", 3, "managedFields", List.of(Map.of("manager", "kubectl")),
                        "labels", Map.of("outpost.dev/deployment", "dep-1", "app", "redis", "extra", "x"),
                        "annotations", Map.of("someone", "else")),
                "spec", Map.of("replicas", replicas, "podManagementPolicy", "OrderedReady",
                        "template", Map.of("spec", Map.of("restartPolicy", "Always", "containers", List.of(
                                Map.of("name", "redis", "image", image, "imagePullPolicy", "IfNotPresent",
                                        "resources", Map.of("limits", Map.of("memory", memory, "cpu", cpu))))))),
                "status", Map.of("readyReplicas", 1));
    }

    @Test
    void anObjectAsServedMatchesWhatWasAppliedWhateverTheServerAdded() {
        assertThat(ObjectDiff.differingFields(statefulSet(1, "redis:7", "1Gi"), served(1, "redis:7", "1Gi", "0.5")))
                .isEmpty();
    }

    @Test
    void namesEachChangedFieldByItsPath() {
        assertThat(ObjectDiff.differingFields(statefulSet(1, "redis:7", "1Gi"), served(3, "redis:8", "2Gi", "500m")))
                .containsExactlyInAnyOrder("spec.replicas", "spec.template.spec.containers[0].image",
                        "spec.template.spec.containers[0].resources.limits.memory");
    }

    @Test
    void aRemovedLabelIsDriftAndKeysWithDotsAreQuoted() {
        Map<String, Object> applied = statefulSet(1, "redis:7", "1Gi");
        Map<String, Object> live = new LinkedHashMap<>(served(1, "redis:7", "1Gi", "500m"));
        live.put("metadata", Map.of("name", "redis", "labels", Map.of("app", "redis")));

        assertThat(ObjectDiff.differingFields(applied, live))
                .containsExactly("metadata.labels[\"outpost.dev/deployment\"]");
    }

    @Test
    void aListOfAnotherLengthIsOneChangedField() {
        Map<String, Object> applied = Map.of("kind", "ConfigMap", "spec", Map.of("ports", List.of(80, 443)));
        assertThat(ObjectDiff.differingFields(applied, Map.of("kind", "ConfigMap", "spec", Map.of("ports", List.of(80)))))
                .containsExactly("spec.ports");
        assertThat(ObjectDiff.differingFields(applied, Map.of("kind", "ConfigMap", "spec", Map.of("ports", List.of(80, 443)))))
                .isEmpty();
    }

    @Test
    void configMapDataIsComparedKeyByKey() {
        Map<String, Object> applied = Map.of("kind", "ConfigMap", "data", Map.of("maxmemory", "100mb", "port", "6379"));
        Map<String, Object> live = Map.of("kind", "ConfigMap", "data", Map.of("maxmemory", "2gb", "port", "6379",
                "added", "by someone"));
        assertThat(ObjectDiff.differingFields(applied, live)).containsExactly("data.maxmemory");
    }

    @Test
    void aSecretsStringDataIsComparedWithTheBase64DataTheServerKeeps() {
        Map<String, Object> applied = Map.of("kind", "Secret", "stringData", Map.of("password", "s3cret"));
        assertThat(ObjectDiff.differingFields(applied, Map.of("kind", "Secret", "data", Map.of("password", "czNjcmV0"))))
                .isEmpty();
        assertThat(ObjectDiff.differingFields(applied, Map.of("kind", "Secret", "data", Map.of("password", "b3RoZXI="))))
                .containsExactly("data.password");
    }

    @Test
    void numbersAndQuantitiesWrittenDifferentlyAreTheSame() {
        assertThat(ObjectDiff.sameScalar(80, 80L)).isTrue();
        assertThat(ObjectDiff.sameScalar("1", 1)).isTrue();
        assertThat(ObjectDiff.sameScalar("1000m", "1")).isTrue();
        assertThat(ObjectDiff.sameScalar("1Gi", "1024Mi")).isTrue();
        assertThat(ObjectDiff.sameScalar("1Gi", "1G")).isFalse();
        assertThat(ObjectDiff.sameScalar("redis:7", "redis:8")).isFalse();
        assertThat(ObjectDiff.sameScalar(true, "true")).isFalse();
    }

    @Test
    void aVeryChangedObjectReportsABoundedListOfFields() {
        Map<String, Object> data = new LinkedHashMap<>();
        Map<String, Object> other = new LinkedHashMap<>();
        for (int i = 0; i < 120; i++) {
            data.put("k" + i, "a");
            other.put("k" + i, "b");
        }
        List<String> fields = ObjectDiff.differingFields(Map.of("kind", "ConfigMap", "data", data),
                Map.of("kind", "ConfigMap", "data", other));
        assertThat(fields).hasSize(ObjectDiff.MAX_FIELDS).endsWith("… 71 more");
    }
}
