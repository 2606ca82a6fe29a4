package dev.outpost.hub.examples;

import static dev.outpost.hub.examples.RedisChartIT.redisContainer;
import static dev.outpost.hub.examples.Rendered.at;
import static dev.outpost.hub.examples.Rendered.mapAt;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.hub.packages.InspectedPackage;
import dev.outpost.hub.packages.PackageRejectedException;
import dev.outpost.hub.packages.ParameterViolation;
import dev.outpost.hub.packages.inspect.HelmPackageInspection;
import dev.outpost.hub.packages.plan.HelmPackagePlanning;
import dev.outpost.protocol.v1.DeploymentPlan;
import dev.outpost.protocol.v1.PlanStep;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * examples/redis as the hub takes it: packed, inspected and planned by the hub's package code (helm-java
 * underneath), for each plan and architecture, checked the way a vendor would read the result.
 */
class RedisPackageIT {

    private static final String PASSWORD = "generated-by-the-hub-0123456789";
    private static final String MASTER = "shop-redis-master";
    private static final String REPLICAS = "shop-redis-replicas";

    private final HelmPackageInspection inspection = new HelmPackageInspection();
    private final HelmPackagePlanning planning = new HelmPackagePlanning();
    private final byte[] archive = ExamplePackages.redisArchive();

    @TempDir
    Path work;

    @Test
    void theHubAcceptsBothVersions() throws PackageRejectedException {
        InspectedPackage v100 = inspection.inspect(archive);
        InspectedPackage v110 = inspection.inspect(ExamplePackages.redis110Archive(work));

        assertThat(v100.service()).isEqualTo("redis");
        assertThat(v100.version()).isEqualTo("1.0.0");
        assertThat(v100.plans()).containsExactly("small", "large");
        assertThat(v100.defaultPlan()).isEqualTo("small");
        assertThat(v100.secretParameters()).containsExactly("password");
        assertThat(v110.service()).isEqualTo("redis");
        assertThat(v110.version()).isEqualTo("1.1.0");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            "small, standalone, 250m, 256Mi, 192mb, 1Gi",
            "small, replication, 250m, 256Mi, 192mb, 1Gi",
            "large, standalone, 1, 2Gi, 1536mb, 20Gi",
            "large, replication, 1, 2Gi, 1536mb, 20Gi"})
    void eachPlanSizesPrimaryAndReplicas(String plan, String architecture, String cpu, String memory, String maxMemory,
                                         String storage) throws Exception {
        DeploymentPlan planned = plan(plan, Map.of("architecture", architecture), Set.of());
        Rendered objects = objects(planned);

        boolean replication = architecture.equals("replication");
        assertThat(objects.kindCounts()).isEqualTo(replication
                ? Map.of("ConfigMap", 1, "Secret", 1, "Service", 3, "StatefulSet", 2)
                : Map.of("ConfigMap", 1, "Secret", 1, "Service", 2, "StatefulSet", 1));
        List<String> sets = replication ? List.of(MASTER, REPLICAS) : List.of(MASTER);
        for (String name : sets) {
            Map<String, Object> set = objects.one("StatefulSet", name);
            assertThat(at(redisContainer(set), "resources")).as(name).isEqualTo(Map.of(
                    "requests", Map.of("cpu", cpu, "memory", memory), "limits", Map.of("cpu", cpu, "memory", memory)));
            assertThat(at(set, "spec.volumeClaimTemplates[0].spec.resources.requests.storage")).as(name).isEqualTo(storage);
            assertThat(at(set, "spec.persistentVolumeClaimRetentionPolicy")).as(name)
                    .isEqualTo(Map.of("whenDeleted", "Retain", "whenScaled", "Retain"));
        }
        assertThat(at(objects.one("StatefulSet", MASTER), "spec.replicas")).isEqualTo(1);
        if (replication) {
            assertThat(at(objects.one("StatefulSet", REPLICAS), "spec.replicas")).isEqualTo(plan.equals("small") ? 1 : 3);
        }
        assertThat(RedisChartIT.redisConf(objects)).contains("maxmemory " + maxMemory);
    }

    @Test
    void onePlanStepWaitingForTheStatefulSets() throws Exception {
        DeploymentPlan planned = plan("small", Map.of(), Set.of());

        assertThat(planned.getStepsList()).extracting(PlanStep::getName).containsExactly("redis");
        PlanStep step = planned.getSteps(0);
        assertThat(step.getDependsOnList()).isEmpty();
        assertThat(step.getGate().hasWorkloadsReady()).isTrue();
        assertThat(step.getGate().getTimeoutSeconds()).isEqualTo(300);
        assertThat(planned.getNamespaceQuotaMap()).containsEntry("requests.cpu", "2").containsEntry("limits.memory", "2Gi");
        assertThat(planned.getContainerDefaultLimitsMap()).isEqualTo(Map.of("cpu", "100m", "memory", "64Mi"));
        assertThat(plan("large", Map.of(), Set.of()).getNamespaceQuotaMap()).containsEntry("requests.cpu", "12");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"small, 1, 3", "large, 3, 10"})
    void autoscalingTakesItsBoundsFromThePlan(String plan, int min, int max) throws Exception {
        Rendered objects = objects(plan(plan, Map.of("architecture", "replication", "autoscaling", true), Set.of()));

        Map<String, Object> hpa = objects.one("HorizontalPodAutoscaler", REPLICAS);
        assertThat(at(hpa, "spec.minReplicas")).isEqualTo(min);
        assertThat(at(hpa, "spec.maxReplicas")).isEqualTo(max);
        assertThat(mapAt(objects.one("StatefulSet", REPLICAS), "spec")).doesNotContainKey("replicas");
    }

    @Test
    void parametersOverrideThePlanForOneDeployment() throws Exception {
        Rendered objects = objects(plan("small", Map.of(
                "architecture", "replication", "replicas", 2, "storageSize", "5Gi", "maxMemory", "128mb",
                "retention", "delete", "serviceType", "LoadBalancer"), Set.of()));

        Map<String, Object> replicas = objects.one("StatefulSet", REPLICAS);
        assertThat(at(replicas, "spec.replicas")).isEqualTo(2);
        assertThat(at(replicas, "spec.volumeClaimTemplates[0].spec.resources.requests.storage")).isEqualTo("5Gi");
        assertThat(at(replicas, "spec.persistentVolumeClaimRetentionPolicy"))
                .isEqualTo(Map.of("whenDeleted", "Delete", "whenScaled", "Delete"));
        assertThat(RedisChartIT.redisConf(objects)).contains("maxmemory 128mb");
        assertThat(at(objects.one("Service", MASTER), "spec.type")).isEqualTo("LoadBalancer");
        assertThat(at(objects.one("Service", REPLICAS), "spec.type")).isEqualTo("LoadBalancer");
        // What the plan sets and no parameter overrides stays the plan's.
        assertThat(at(redisContainer(replicas), "resources.limits.memory")).isEqualTo("256Mi");
    }

    @Test
    void withoutPersistenceNoClaimIsMade() throws Exception {
        Rendered objects = objects(plan("large", Map.of("architecture", "replication", "persistence", false), Set.of()));

        for (String name : List.of(MASTER, REPLICAS)) {
            assertThat(at(objects.one("StatefulSet", name), "spec.volumeClaimTemplates")).as(name).isNull();
        }
    }

    @Test
    void theAuthSecretHoldsTheGeneratedPassword() throws Exception {
        PlanStep step = plan("small", Map.of("architecture", "replication"), Set.of()).getSteps(0);
        String yaml = yaml(step);

        String stored = (String) at(Rendered.parse(yaml).one("Secret", "shop-redis-auth"), "data.redis-password");
        assertThat(new String(Base64.getDecoder().decode(stored), StandardCharsets.UTF_8)).isEqualTo(PASSWORD);
        assertThat(yaml).doesNotContain(PASSWORD);
    }

    @Test
    void aServiceMonitorOnlyForAClusterThatServesItsApi() throws Exception {
        Rendered plain = objects(plan("small", Map.of(), Set.of("apps/v1", "v1")));
        Rendered monitored = objects(plan("small", Map.of(), Set.of("apps/v1", "v1", "monitoring.coreos.com/v1")));

        assertThat(plain.ofKind("ServiceMonitor")).isEmpty();
        assertThat(monitored.ofKind("ServiceMonitor")).hasSize(1);
        assertThat(RedisChartIT.containerNames(plain.one("StatefulSet", MASTER))).containsExactly("redis", "metrics");
    }

    @Test
    void theSameInputsGiveTheSamePlanAndAChangeChangesTheHash() throws Exception {
        DeploymentPlan once = plan("small", Map.of("architecture", "replication"), Set.of());
        DeploymentPlan again = plan("small", Map.of("architecture", "replication"), Set.of());
        DeploymentPlan bigger = plan("small", Map.of("architecture", "replication", "replicas", 3), Set.of());

        assertThat(again).isEqualTo(once);
        assertThat(bigger.getSteps(0).getInputHash()).isNotEqualTo(once.getSteps(0).getInputHash());
    }

    @Test
    void theUpgradeChangesTheStepsInputs() throws Exception {
        byte[] v110 = ExamplePackages.redis110Archive(work);
        Map<String, Object> parameters = parameters(Map.of("architecture", "replication"));

        PlanStep before = planning.plan(archive, inputs("small", parameters, Set.of())).getSteps(0);
        PlanStep after = planning.plan(v110, inputs("small", parameters, Set.of())).getSteps(0);

        assertThat(after.getInputHash()).isNotEqualTo(before.getInputHash());
        assertThat(RedisChartIT.configData(Rendered.parse(yaml(after)))).containsKey("readiness.sh");
        assertThat(RedisChartIT.configData(Rendered.parse(yaml(before)))).doesNotContainKey("readiness.sh");
    }

    @Test
    void theKwokParametersAreValidAndMakeNoClaims() throws Exception {
        assertThat(planning.checkParameters(archive, "small", ExamplePackages.REDIS_ON_KWOK)).isEmpty();
        Rendered objects = objects(plan("small", ExamplePackages.REDIS_ON_KWOK, Set.of()));

        assertThat(at(objects.one("StatefulSet", REPLICAS), "spec.replicas")).isEqualTo(2);
        assertThat(objects.ofKind("StatefulSet")).allSatisfy(set -> assertThat(at(set, "spec.volumeClaimTemplates")).isNull());
    }

    @Test
    void badParametersAreEachNamedByTheirPointer() {
        List<ParameterViolation> violations = planning.checkParameters(archive, "small", Map.of(
                "architecture", "cluster", "replicas", 0, "storageSize", "lots", "serviceType", "Ingress",
                "colour", "blue"));

        assertThat(violations).extracting(ParameterViolation::pointer)
                .contains("/architecture", "/replicas", "/storageSize", "/serviceType");
        assertThat(violations).extracting(ParameterViolation::message).anyMatch(m -> m.contains("colour"));
        assertThat(planning.checkParameters(archive, "medium", Map.of())).extracting(ParameterViolation::pointer)
                .containsExactly("/plan");
        assertThat(planning.checkParameters(archive, "large", Map.of("architecture", "replication", "replicas", 4)))
                .isEmpty();
    }

    private DeploymentPlan plan(String plan, Map<String, Object> given, Set<String> apis) throws Exception {
        return planning.plan(archive, inputs(plan, parameters(given), apis));
    }

    private static Map<String, Object> parameters(Map<String, Object> given) {
        Map<String, Object> parameters = new HashMap<>(given);
        parameters.put("password", PASSWORD);
        return parameters;
    }

    static dev.outpost.hub.packages.PlanInputs inputs(String plan, Map<String, Object> parameters, Set<String> apis) {
        return new dev.outpost.hub.packages.PlanInputs(HelmRender.RELEASE, HelmRender.NAMESPACE, plan, parameters,
                dev.outpost.protocol.v1.ClusterFacts.newBuilder()
                        .setKubernetesVersion(HelmRender.KUBE_VERSION)
                        .addAllApiVersions(apis)
                        .build());
    }

    static Rendered objects(DeploymentPlan plan) {
        assertThat(plan.getStepsCount()).isEqualTo(1);
        return Rendered.parse(yaml(plan.getSteps(0)));
    }

    static String yaml(PlanStep step) {
        try (var in = new java.util.zip.GZIPInputStream(step.getObjects().getYamlGzip().newInput())) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
