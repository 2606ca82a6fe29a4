package dev.outpost.agent.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.agent.cluster.ClusterPreflight;
import dev.outpost.agent.infra.NoInfrastructureProvider;
import dev.outpost.agent.namespaces.KubeNamespaceProvisioner;
import dev.outpost.protocol.release.RenderedObjectsGzip;
import dev.outpost.protocol.v1.ApplyDeployment;
import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.CommandResult;
import dev.outpost.protocol.v1.DeleteDeployment;
import dev.outpost.protocol.v1.DeploymentPlan;
import dev.outpost.protocol.v1.NamespaceMode;
import dev.outpost.protocol.v1.Outcome;
import dev.outpost.protocol.v1.PlanStep;
import dev.outpost.protocol.v1.Release;
import dev.outpost.protocol.v1.Step;
import dev.outpost.testcluster.KubeCluster;
import dev.outpost.testcluster.KubeClusterExtension;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plan in NAMESPACE_MODE_PER_DEPLOYMENT: the agent, under the RBAC of agent/rbac/per-deployment.yaml,
 * makes the namespace as the plan's first step and removes it with the deployment.
 */
@ExtendWith(KubeClusterExtension.class)
class PerDeploymentNamespacePlanIT {
    private static final String AGENT = "outpost-agent";

    @TempDir
    Path stateDir;

    private KubernetesClient admin;
    private KubernetesClient agent;
    private KubeDeploymentExecutor executor;
    private String namespace;
    private String deploymentId;

    @BeforeEach
    void agentWithPerDeploymentRbac(KubeCluster cluster) throws IOException {
        admin = cluster.adminClient();
        String agentNamespace = cluster.newNamespace("agent");
        admin.serviceAccounts().inNamespace(agentNamespace).resource(new ServiceAccountBuilder()
                .withNewMetadata().withName(AGENT).endMetadata().build()).create();
        String rbac = Files.readString(Path.of("rbac/per-deployment.yaml"), StandardCharsets.UTF_8)
                .replace("AGENT_NAMESPACE", agentNamespace);
        admin.load(new ByteArrayInputStream(rbac.getBytes(StandardCharsets.UTF_8)))
                .fieldManager("outpost-test").forceConflicts().serverSideApply();
        agent = cluster.serviceAccountClient(agentNamespace, AGENT);
        // RBAC changes reach the API server's authorizer through a watch, in moments; wait for them, not sleep.
        Awaitility.await("the per-deployment RBAC in force").atMost(Duration.ofSeconds(30))
                .until(() -> new ClusterPreflight(agent, Set.of(), true).run().ok());
        executor = new KubeDeploymentExecutor(agent, Set.of(), stateDir, AGENT, Clock.systemUTC(),
                new NoInfrastructureProvider(),
                Optional.of(new KubeNamespaceProvisioner(agent, AGENT, Optional.empty(), Clock.systemUTC())));
        String suffix = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
        namespace = "svc-" + suffix;
        deploymentId = "dep-" + suffix;
    }

    @AfterEach
    void closeClient() {
        agent.close();
    }

    @Test
    void theNamespaceIsTheFirstStepAndGoesWithTheDeployment() throws IOException {
        CommandResult applied = executor.execute(command(1).setApply(ApplyDeployment.newBuilder()
                .setNamespace(namespace).setNamespaceMode(NamespaceMode.NAMESPACE_MODE_PER_DEPLOYMENT)
                .setRelease(Release.newBuilder().setReleaseId("rel-pkg").setServiceName("svc").setVersion("1.0.0"))
                .setPlan(DeploymentPlan.newBuilder().putNamespaceQuota("requests.cpu", "2")
                        .addSteps(PlanStep.newBuilder().setName("app").setInputHash("sha256:app-1").setObjects(RenderedObjectsGzip.of("""
                                apiVersion: v1
                                kind: ConfigMap
                                metadata:
                                  name: app-settings
                                data:
                                  version: v1
                                """))))).build(), steps -> { });

        assertThat(applied.getFailureReason()).isEmpty();
        assertThat(applied.getOutcome()).isEqualTo(Outcome.OUTCOME_SUCCEEDED);
        assertThat(applied.getStepsList()).extracting(Step::getName).containsExactly("preflight", "namespace", "app", "prune");
        assertThat(admin.configMaps().inNamespace(namespace).withName("app-settings").get()).isNotNull();

        CommandResult deleted = executor.execute(command(2)
                .setDelete(DeleteDeployment.newBuilder().setNamespace(namespace)).build(), steps -> { });

        assertThat(deleted.getFailureReason()).isEmpty();
        assertThat(deleted.getStepsList()).extracting(Step::getName).contains("remove namespace");
        Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Namespace gone = admin.namespaces().withName(namespace).get();
            assertThat(gone == null || gone.getMetadata().getDeletionTimestamp() != null).isTrue();
        });
    }

    @Test
    void workloadsOverThePlansOwnQuotaAreRefusedBeforeTheNamespaceIsMade() {
        CommandResult refused = executor.execute(command(1).setApply(ApplyDeployment.newBuilder()
                .setNamespace(namespace).setNamespaceMode(NamespaceMode.NAMESPACE_MODE_PER_DEPLOYMENT)
                .setRelease(Release.newBuilder().setReleaseId("rel-pkg").setServiceName("svc").setVersion("1.0.0"))
                .setPlan(DeploymentPlan.newBuilder().putNamespaceQuota("requests.cpu", "1").putContainerDefaultLimits("cpu", "750m")
                        .addSteps(PlanStep.newBuilder().setName("app").setInputHash("sha256:app-1").setObjects(RenderedObjectsGzip.of("""
                                apiVersion: apps/v1
                                kind: Deployment
                                metadata: {name: app}
                                spec:
                                  replicas: 2
                                  selector: {matchLabels: {app: app}}
                                  template:
                                    metadata: {labels: {app: app}}
                                    spec:
                                      containers: [{name: main, image: "busybox:1.37"}]
                                """))))).build(), steps -> { });

        assertThat(refused.getOutcome()).isEqualTo(Outcome.OUTCOME_FAILED);
        // the containers set nothing: the plan's default limit (750m) is their request, twice
        assertThat(refused.getFailureReason()).startsWith("step `preflight` failed: the plan's namespace quota allows"
                + " requests.cpu 1, the deployment needs 1500m; skipped: `namespace` (depends on `preflight`)");
        assertThat(admin.namespaces().withName(namespace).get()).isNull();
    }

    private Command.Builder command(long generation) {
        return Command.newBuilder().setCommandId(UUID.randomUUID().toString()).setDeploymentId(deploymentId)
                .setGeneration(generation);
    }

}
