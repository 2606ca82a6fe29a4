package dev.outpost.hub.examples;

import static dev.outpost.hub.examples.Rendered.at;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.hub.packages.InspectedPackage;
import dev.outpost.hub.packages.inspect.HelmPackageInspection;
import dev.outpost.hub.packages.plan.HelmPackagePlanning;
import dev.outpost.protocol.v1.DeploymentPlan;
import dev.outpost.protocol.v1.InfrastructureRequirement;
import dev.outpost.protocol.v1.PlanStep;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The seed scenario's package (examples/gpu-inference) as the hub plans it: the GPU pool first, the
 * model server after it and only after it, each with its gate.
 */
class GpuInferencePackageIT {

    private final HelmPackagePlanning planning = new HelmPackagePlanning();
    private final byte[] archive = ExamplePackages.gpuInferenceArchive();

    @Test
    void theHubAcceptsIt() throws Exception {
        InspectedPackage inspected = new HelmPackageInspection().inspect(archive);

        assertThat(inspected.service()).isEqualTo("gpu-inference");
        assertThat(inspected.version()).isEqualTo("1.0.0");
        assertThat(inspected.plans()).containsExactly("standard", "performance");
        assertThat(inspected.secretParameters()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"standard, g5.xlarge, 2, 1", "performance, g5.2xlarge, 4, 2"})
    void thePoolComesFirstAndTheServerDependsOnIt(String plan, String instanceType, String maxNodes, int replicas)
            throws Exception {
        DeploymentPlan planned = plan(plan, Map.of());

        assertThat(planned.getStepsList()).extracting(PlanStep::getName).containsExactly("gpu-pool", "inference");
        PlanStep pool = planned.getSteps(0);
        assertThat(pool.hasInfrastructure()).isTrue();
        InfrastructureRequirement requirement = pool.getInfrastructure();
        assertThat(requirement.getKind()).isEqualTo("nodePool");
        assertThat(requirement.getName()).isEqualTo("gpu-pool");
        assertThat(requirement.getPropertiesMap()).isEqualTo(Map.of(
                "instanceType", instanceType, "gpus", "1", "min", "1", "max", maxNodes,
                "nodeLabels", "outpost.dev/node-pool=gpu-pool", "nodeTaints", "nvidia.com/gpu=present:NoSchedule"));
        assertThat(pool.getDependsOnList()).isEmpty();
        assertThat(pool.getGate().getTimeoutSeconds()).isEqualTo(900);

        PlanStep server = planned.getSteps(1);
        assertThat(server.getDependsOnList()).containsExactly("gpu-pool");
        assertThat(server.getGate().hasWorkloadsReady()).isTrue();
        assertThat(server.getGate().getTimeoutSeconds()).isEqualTo(600);
        Map<String, Object> deployment = Rendered.parse(RedisPackageIT.yaml(server)).one("Deployment", "shop-inference");
        assertThat(at(deployment, "spec.replicas")).isEqualTo(replicas);
    }

    @Test
    void theServerLandsOnThePoolsNodes() throws Exception {
        Rendered objects = Rendered.parse(RedisPackageIT.yaml(plan("standard", Map.of()).getSteps(1)));

        Map<String, Object> deployment = objects.one("Deployment", "shop-inference");
        // The label and taint the pool step asks its nodes to carry.
        assertThat(at(deployment, "spec.template.spec.nodeSelector")).isEqualTo(Map.of("outpost.dev/node-pool", "gpu-pool"));
        assertThat(at(deployment, "spec.template.spec.tolerations[0].key")).isEqualTo("nvidia.com/gpu");
        assertThat(Rendered.mapAt(deployment, "spec.template.spec.containers[0].resources.limits"))
                .isEqualTo(Map.of("memory", "8Gi"));
        assertThat(objects.kindCounts()).isEqualTo(Map.of("ConfigMap", 1, "Deployment", 1, "Service", 1));
    }

    @Test
    void onRealGpuNodesTheServerAlsoRequestsAGpu() throws Exception {
        Map<String, Object> deployment = Rendered.parse(RedisPackageIT.yaml(
                plan("standard", Map.of("requestGpu", true, "pinToPool", false)).getSteps(1))).one("Deployment", "shop-inference");

        assertThat(Rendered.mapAt(deployment, "spec.template.spec.containers[0].resources.limits"))
                .containsEntry("nvidia.com/gpu", "1");
        assertThat(at(deployment, "spec.template.spec.nodeSelector")).isNull();
    }

    @Test
    void aParameterChangeRedoesTheServerNotThePool() throws Exception {
        DeploymentPlan before = plan("standard", Map.of());
        DeploymentPlan after = plan("standard", Map.of("model", "org/another-model"));

        assertThat(after.getSteps(0).getInputHash()).isEqualTo(before.getSteps(0).getInputHash());
        assertThat(after.getSteps(1).getInputHash()).isNotEqualTo(before.getSteps(1).getInputHash());
        assertThat(planning.checkParameters(archive, "standard", Map.of("model", "", "requestGpu", "yes")))
                .extracting(v -> v.pointer()).contains("/model", "/requestGpu");
    }

    private DeploymentPlan plan(String plan, Map<String, Object> parameters) throws Exception {
        return planning.plan(archive, RedisPackageIT.inputs(plan, parameters, Set.of()));
    }
}
