package dev.outpost.hub.examples;

import static dev.outpost.hub.examples.Rendered.at;
import static dev.outpost.hub.examples.Rendered.mapAt;
import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.LintResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GPU seed example's application chart (examples/gpu-inference/chart): its pods go to the GPU
 * pool's nodes by label and toleration; the nvidia.com/gpu request is opt-in (kwok nodes lack it).
 */
class GpuInferenceChartIT {

    private static final Path CHART = ExamplePackages.gpuInference().resolve("chart");
    private static final String DEPLOYMENT = "shop-inference";

    @TempDir
    Path work;

    @Test
    void lintsClean() {
        LintResult lint = HelmRender.lint(CHART);

        assertThat(lint.isFailed()).as("%s", lint.getMessages()).isFalse();
        assertThat(lint.getMessages()).allMatch(m -> m.startsWith("[INFO]"));
    }

    @Test
    void thePodsArePinnedToThePoolAndTolerateItsTaint() {
        Rendered objects = HelmRender.render(CHART, "replicaCount: 2\nmodel: org/model-7b", work);

        assertThat(objects.kindCounts()).isEqualTo(Map.of("ConfigMap", 1, "Deployment", 1, "Service", 1));
        Map<String, Object> deployment = objects.one("Deployment", DEPLOYMENT);
        assertThat(at(deployment, "spec.replicas")).isEqualTo(2);
        assertThat(at(deployment, "spec.template.spec.nodeSelector")).isEqualTo(Map.of("outpost.dev/node-pool", "gpu-pool"));
        assertThat(at(deployment, "spec.template.spec.tolerations")).isEqualTo(List.of(Map.of(
                "key", "nvidia.com/gpu", "operator", "Equal", "value", "present", "effect", "NoSchedule")));
        assertThat(at(objects.one("ConfigMap", DEPLOYMENT), "data.MODEL")).isEqualTo("org/model-7b");
        // No extended resource by default: a kwok node does not advertise nvidia.com/gpu.
        assertThat(mapAt(deployment, "spec.template.spec.containers[0].resources.limits"))
                .doesNotContainKey("nvidia.com/gpu");
    }

    @Test
    void unpinnedPodsStillTolerateThePool() {
        Map<String, Object> deployment = HelmRender.render(CHART, "pool: {pin: false}", work).one("Deployment", DEPLOYMENT);

        assertThat(at(deployment, "spec.template.spec.nodeSelector")).isNull();
        assertThat((List<?>) at(deployment, "spec.template.spec.tolerations")).hasSize(1);
    }

    @Test
    void gpusAreRequestedWhenAsked() {
        Map<String, Object> deployment = HelmRender.render(CHART, "gpu: {request: true, count: 2}", work).one("Deployment", DEPLOYMENT);

        assertThat(mapAt(deployment, "spec.template.spec.containers[0].resources.requests"))
                .containsEntry("nvidia.com/gpu", "2");
        assertThat(mapAt(deployment, "spec.template.spec.containers[0].resources.limits"))
                .containsEntry("nvidia.com/gpu", "2");
    }
}
