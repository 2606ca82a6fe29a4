package dev.outpost.agent.usage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.agent.model.ManifestParser;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodTemplateLabelsTest {

    @Test
    void stampsADeploymentsPodTemplateKeepingTheReleasesLabelsAndSelector() {
        GenericKubernetesResource deployment = parse("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web, tier: front}}
                    spec: {containers: [{name: web, image: nginx}]}
                """);
        PodTemplateLabels.stamp(deployment, "dep-1");

        assertThat(labels(deployment, "spec", "template", "metadata", "labels"))
                .containsExactly(Map.entry("app", "web"), Map.entry("tier", "front"), Map.entry("outpost.dev/deployment", "dep-1"));
        assertThat(labels(deployment, "spec", "selector", "matchLabels")).containsExactly(Map.entry("app", "web"));
    }

    @Test
    void stampsStatefulSetsDaemonSetsReplicaSetsAndJobsEvenWithoutTemplateLabels() {
        for (String kind : new String[] {"StatefulSet", "DaemonSet", "ReplicaSet", "Job"}) {
            GenericKubernetesResource workload = parse("""
                    apiVersion: apps/v1
                    kind: %s
                    metadata: {name: w}
                    spec:
                      template:
                        spec: {containers: [{name: w, image: busybox}]}
                    """.formatted(kind));
            PodTemplateLabels.stamp(workload, "dep-2");
            assertThat(labels(workload, "spec", "template", "metadata", "labels")).as(kind)
                    .containsExactly(Map.entry("outpost.dev/deployment", "dep-2"));
        }
    }

    @Test
    void stampsTheJobTemplateOfACronJob() {
        GenericKubernetesResource cron = parse("""
                apiVersion: batch/v1
                kind: CronJob
                metadata: {name: nightly}
                spec:
                  schedule: "0 3 * * *"
                  jobTemplate:
                    spec:
                      template:
                        metadata: {labels: {job: nightly}}
                        spec: {restartPolicy: Never, containers: [{name: n, image: busybox}]}
                """);
        PodTemplateLabels.stamp(cron, "dep-3");
        assertThat(labels(cron, "spec", "jobTemplate", "spec", "template", "metadata", "labels"))
                .containsExactly(Map.entry("job", "nightly"), Map.entry("outpost.dev/deployment", "dep-3"));
    }

    @Test
    void leavesOtherKindsAlone() {
        GenericKubernetesResource config = parse("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: c}
                data: {template: x}
                """);
        PodTemplateLabels.stamp(config, "dep-4");
        assertThat(config.getAdditionalProperties()).containsOnlyKeys("data");
        assertThat(config.getAdditionalProperties().get("data")).isEqualTo(Map.of("template", "x"));
    }

    private static GenericKubernetesResource parse(String yaml) {
        return ManifestParser.parse(yaml).getFirst().object();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> labels(GenericKubernetesResource object, String... path) {
        Object current = object.getAdditionalProperties();
        for (String step : path) {
            current = ((Map<String, Object>) current).get(step);
        }
        return (Map<String, Object>) current;
    }
}
