package dev.outpost.hub.packages;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.hub.packages.inspect.HelmPackageInspection;
import dev.outpost.hub.packages.plan.HelmPackagePlanning;
import dev.outpost.protocol.v1.ClusterFacts;
import dev.outpost.protocol.v1.DeploymentPlan;
import dev.outpost.protocol.v1.PlanStep;
import java.io.ByteArrayInputStream;
import dev.outpost.hub.packages.archive.PackageArchiver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The good test package through real helm-java: inspected, then planned for a deployment. */
class GoodPackageIT {
    private final HelmPackageInspection inspection = new HelmPackageInspection();
    private final HelmPackagePlanning planning = new HelmPackagePlanning();
    private final byte[] archive = TestPackages.archive("good");

    @Test
    void inspectionAcceptsThePackageAndReportsItsPlansAndSecrets() throws Exception {
        InspectedPackage inspected = inspection.inspect(archive);

        assertThat(inspected.service()).isEqualTo("cache");
        assertThat(inspected.version()).isEqualTo("1.2.0");
        assertThat(inspected.plans()).containsExactly("small", "large");
        assertThat(inspected.defaultPlan()).isEqualTo("small");
        assertThat(inspected.secretParameters()).containsExactly("password");
        assertThat(inspected.manifestJson()).contains("\"service\":\"cache\"");
    }

    @Test
    void planOrdersStepsByDependencyWithGatesQuotaAndRenderedObjects() throws Exception {
        DeploymentPlan plan = planning.plan(archive, inputs("large", Map.of("password", "s3cret"), facts()));

        assertThat(plan.getStepsList()).extracting(PlanStep::getName).containsExactly("pool", "cache", "smoke");
        PlanStep pool = plan.getSteps(0);
        assertThat(pool.getInfrastructure().getKind()).isEqualTo("nodePool");
        assertThat(pool.getInfrastructure().getName()).isEqualTo("cache-shop");
        assertThat(pool.getInfrastructure().getPropertiesMap()).containsEntry("gpus", "1").containsEntry("instanceType", "m5.large");
        assertThat(pool.getGate().getTimeoutSeconds()).isEqualTo(600);

        PlanStep cache = plan.getSteps(1);
        assertThat(cache.getDependsOnList()).containsExactly("pool");
        assertThat(cache.getGate().hasWorkloadsReady()).isTrue();
        assertThat(cache.getGate().getTimeoutSeconds()).isEqualTo(120);
        String yaml = yaml(cache);
        assertThat(yaml).contains("kind: StatefulSet").contains("replicas: 3").contains("namespace: shop-ns")
                .contains("storage: 1Gi").contains("password: \"s3cret\"").contains("greeting: \"hello, shop\"")
                .contains("release: 'shop'") // tpl rendered the chart's own expression
                .contains("kind: ServiceMonitor") // the cluster serves monitoring.coreos.com/v1
                .contains("kubeVersion: \"v1.33.2\"")
                .doesNotContain("helm.sh/hook: test");
        assertThat(yaml.indexOf("kind: Secret")).isLessThan(yaml.indexOf("kind: StatefulSet"));
        assertThat(cache.getInputHash()).startsWith("sha256:");

        PlanStep smoke = plan.getSteps(2);
        assertThat(smoke.getGate().getJobSucceeded().getJobName()).isEqualTo("smoke");
        assertThat(yaml(smoke)).contains("kind: Job").contains("deployment: \"shop\"").contains("hello x3");

        assertThat(plan.getNamespaceQuotaMap()).containsExactly(Map.entry("requests.cpu", "8"));
        assertThat(plan.getContainerDefaultLimitsMap()).containsExactly(Map.entry("memory", "1Gi"));
    }

    @Test
    void withoutTheMonitoringApiTheChartLeavesTheServiceMonitorOut() throws Exception {
        DeploymentPlan plan = planning.plan(archive, inputs("small", Map.of("password", "s3cret"),
                ClusterFacts.newBuilder().setKubernetesVersion("v1.33.2").addApiVersions("apps/v1").build()));

        String yaml = yaml(plan.getSteps(1));
        assertThat(yaml).contains("replicas: 1").doesNotContain("ServiceMonitor").doesNotContain("volumeClaimTemplates");
    }

    @Test
    void theSameInputsGiveTheSamePlanByteForByte() throws Exception {
        PlanInputs inputs = inputs("large", Map.of("password", "s3cret", "replicas", 2), facts());

        DeploymentPlan first = planning.plan(archive, inputs);
        DeploymentPlan second = planning.plan(TestPackages.archive("good"), inputs);

        assertThat(second.toByteArray()).isEqualTo(first.toByteArray());
        assertThat(yaml(first.getSteps(1))).contains("replicas: 2"); // the parameter overrides the plan's value
        DeploymentPlan other = planning.plan(archive, inputs("large", Map.of("password", "other", "replicas", 2), facts()));
        assertThat(other.getSteps(1).getInputHash()).isNotEqualTo(first.getSteps(1).getInputHash());
        assertThat(other.getSteps(0).getInputHash()).isEqualTo(first.getSteps(0).getInputHash());
    }

    @Test
    void deploymentsPlannedAtTheSameTimeGetTheirOwnPlans() throws Exception {
        // The hub plans deployments concurrently; helm-java's native library must keep them apart.
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<DeploymentPlan>> plans = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int n = i;
                plans.add(pool.submit(() -> planning.plan(archive,
                        inputs("large", Map.of("password", "p" + n, "replicas", 1 + n % 4), facts()))));
            }
            for (int i = 0; i < 8; i++) {
                String yaml = yaml(plans.get(i).get(60, java.util.concurrent.TimeUnit.SECONDS).getSteps(1));
                assertThat(yaml).contains("password: \"p" + i + "\"").contains("replicas: " + (1 + i % 4));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void checkParametersListsEveryViolationWithItsPointer() {
        assertThat(planning.checkParameters(archive, "huge", Map.of("replicas", 0, "memory", "lots")))
                .extracting(ParameterViolation::pointer)
                .containsExactlyInAnyOrder("/plan", "/replicas", "/memory");
        assertThat(planning.checkParameters(archive, "small", Map.of("replicas", 2))).isEmpty();
    }

    @Test
    void aChartThatNeedsAValueOnlyThePackageGivesIsAccepted(@TempDir Path temp) throws Exception {
        Path pkg = temp.resolve("pkg");
        Files.createDirectories(pkg.resolve("chart/templates"));
        Path mini = TestPackages.directory("values-do-not-render").resolve("chart");
        Files.copy(mini.resolve("Chart.yaml"), pkg.resolve("chart/Chart.yaml"));
        Files.copy(mini.resolve("templates/deployment.yaml"), pkg.resolve("chart/templates/deployment.yaml"));
        Files.writeString(pkg.resolve("outpost.yaml"), """
                service: mini
                version: 0.1.0
                plans: {default: {}}
                components:
                  - name: app
                    chart: {path: chart, values: {image: {tag: "3.0"}}}
                """);

        // helm lint alone fails here (the chart has no default for the required image.tag).
        InspectedPackage inspected = inspection.inspect(PackageArchiver.pack(pkg));

        assertThat(inspected.service()).isEqualTo("mini");
    }

    @Test
    void aSecretTheCallerDoesNotSendIsNeverReportedAsItsViolation(@TempDir Path temp) throws Exception {
        Path pkg = Files.createDirectories(temp.resolve("pkg"));
        Files.writeString(pkg.resolve("cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n");
        Files.writeString(pkg.resolve("outpost.yaml"), """
                service: hexed
                version: 0.1.0
                parameters:
                  type: object
                  properties:
                    token: {type: string, secret: true, pattern: "^[0-9a-f]{64}$"}
                plans: {default: {}}
                components:
                  - name: app
                    manifests: {path: cm.yaml}
                """);
        byte[] hexed = PackageArchiver.pack(pkg);

        assertThat(planning.checkParameters(hexed, null, Map.of())).isEmpty();
        assertThat(planning.checkParameters(hexed, null, Map.of("token", "not-hex")))
                .extracting(ParameterViolation::pointer).containsExactly("/token");
    }

    static PlanInputs inputs(String plan, Map<String, Object> parameters, ClusterFacts facts) {
        return new PlanInputs("shop", "shop-ns", plan, parameters, facts);
    }

    static ClusterFacts facts() {
        return ClusterFacts.newBuilder().setKubernetesVersion("v1.33.2+k3s1")
                .addApiVersions("v1").addApiVersions("apps/v1").addApiVersions("monitoring.coreos.com/v1").build();
    }

    static String yaml(PlanStep step) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(step.getObjects().getYamlGzip().toByteArray()))) {
            String yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat((long) yaml.getBytes(StandardCharsets.UTF_8).length).isEqualTo(step.getObjects().getYamlBytes());
            return yaml;
        }
    }
}
