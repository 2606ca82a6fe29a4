package dev.outpost.agent.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.outpost.agent.infra.NoInfrastructureProvider;
import dev.outpost.protocol.release.RenderedObjectsGzip;
import dev.outpost.protocol.v1.ApplyDeployment;
import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.CommandResult;
import dev.outpost.protocol.v1.DeploymentPlan;
import dev.outpost.protocol.v1.HealthGate;
import dev.outpost.protocol.v1.Outcome;
import dev.outpost.protocol.v1.PlanStep;
import dev.outpost.protocol.v1.Release;
import dev.outpost.protocol.v1.Step;
import dev.outpost.protocol.v1.StepState;
import dev.outpost.testcluster.KubeCluster;
import dev.outpost.testcluster.KubeClusterExtension;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The preflight step against a real API server, with the agent under the documented RBAC
 * (agent/rbac/namespace-role.yaml and the optional cluster-facts ClusterRole): what the cluster cannot
 * give is listed before a single object is applied.
 */
@ExtendWith(KubeClusterExtension.class)
class PlanPreflightIT {
    private static final String AGENT = "outpost-agent";

    @TempDir
    Path stateDir;

    private KubernetesClient admin;
    private KubernetesClient agent;
    private String namespace;
    private String storageClass;
    private KubeDeploymentExecutor executor;

    @BeforeEach
    void agentInANamespaceWithAQuota(KubeCluster cluster) throws IOException {
        admin = cluster.adminClient();
        namespace = cluster.newNamespace("preflight");
        admin.serviceAccounts().inNamespace(namespace).resource(new ServiceAccountBuilder()
                .withNewMetadata().withName(AGENT).endMetadata().build()).create();
        applyRbac("rbac/namespace-role.yaml");
        applyRbac("rbac/cluster-facts-clusterrole.yaml");
        storageClass = "preflight-" + UUID.randomUUID().toString().substring(0, 6);
        admin.storage().v1().storageClasses().resource(new StorageClassBuilder().withNewMetadata().withName(storageClass)
                .endMetadata().withProvisioner("example.com/none").build()).create();
        admin.resourceQuotas().inNamespace(namespace).resource(new ResourceQuotaBuilder().withNewMetadata()
                .withName("compute").endMetadata().withNewSpec().withHard(Map.of("requests.cpu", new Quantity("1"),
                        "requests.memory", new Quantity("1Gi"), "pods", new Quantity("4"))).endSpec().build()).create();
        agent = cluster.serviceAccountClient(namespace, AGENT);
        // RBAC reaches the authorizer through a watch, and the quota controller fills status.hard: wait for both
        Awaitility.await("the agent's RBAC and the quota in force").atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> !agent.storage().v1().storageClasses().list().getItems().isEmpty()
                        && agent.resourceQuotas().inNamespace(namespace).withName("compute").get().getStatus().getHard() != null);
        executor = new KubeDeploymentExecutor(agent, Set.of(namespace), stateDir, AGENT, Clock.systemUTC(),
                new NoInfrastructureProvider(), Optional.empty());
    }

    @AfterEach
    void removeStorageClass() {
        admin.storage().v1().storageClasses().withName(storageClass).delete();
        agent.close();
    }

    @Test
    void whatTheClusterCannotGiveIsListedAtOnceAndNothingIsApplied() {
        CommandResult refused = executor.execute(apply(1, plan(app(2, "{cpu: 750m}", "fast"))), steps -> { });

        assertThat(refused.getOutcome()).isEqualTo(Outcome.OUTCOME_FAILED);
        assertThat(refused.getFailedStep()).isEqualTo("preflight");
        assertThat(refused.getStepsList()).extracting(Step::getName, Step::getState).containsExactly(
                tuple("preflight", StepState.STEP_STATE_FAILED),
                tuple("settings", StepState.STEP_STATE_SKIPPED),
                tuple("app", StepState.STEP_STATE_SKIPPED),
                tuple("prune", StepState.STEP_STATE_SKIPPED));
        assertThat(refused.getSteps(0).getMessage()).contains(
                "ResourceQuota compute allows requests.cpu 1, the deployment needs 1500m",
                "ResourceQuota compute limits requests.memory, but Deployment/app container main sets no memory request",
                "volume claim app-data of PersistentVolumeClaim/app-data asks for storage class fast, which the cluster"
                        + " does not have (it has ", storageClass);
        assertThat(admin.configMaps().inNamespace(namespace).withName("settings").get()).isNull();
        assertThat(admin.apps().deployments().inNamespace(namespace).withName("app").get()).isNull();
        assertThat(admin.persistentVolumeClaims().inNamespace(namespace).withName("app-data").get()).isNull();

        CommandResult applied = executor.execute(apply(2, plan(app(1, "{cpu: 750m, memory: 256Mi}", storageClass))),
                steps -> { });

        assertThat(applied.getFailureReason()).isEmpty();
        assertThat(applied.getOutcome()).isEqualTo(Outcome.OUTCOME_SUCCEEDED);
        assertThat(applied.getSteps(0).getMessage()).startsWith("checked: ")
                .contains("fits 1 ResourceQuota", "1 volume claims with a storage class");
        assertThat(admin.apps().deployments().inNamespace(namespace).withName("app").get().getStatus()
                .getAvailableReplicas()).isEqualTo(1);
    }

    @Test
    void aManagedNamespaceThatDoesNotExistIsNamed() {
        String missing = "missing-" + UUID.randomUUID().toString().substring(0, 6);
        // the admin client may read namespaces; the agent's Role cannot grant that (namespaces are cluster-wide)
        KubeDeploymentExecutor wide = new KubeDeploymentExecutor(admin, Set.of(missing), stateDir.resolve("wide"), AGENT,
                Clock.systemUTC(), new NoInfrastructureProvider(), Optional.empty());
        Command command = apply(1, plan(PlanStep.newBuilder().setName("settings").setInputHash("sha256:s")
                .setObjects(RenderedObjectsGzip.of("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n")).build()));

        CommandResult refused = wide.execute(command.toBuilder().setApply(command.getApply().toBuilder().setNamespace(missing))
                .build(), steps -> { });

        assertThat(refused.getFailedStep()).isEqualTo("preflight");
        assertThat(refused.getSteps(0).getMessage()).isEqualTo("namespace " + missing + " does not exist: the agent deploys"
                + " into existing namespaces only (create it, or let the agent make a namespace per deployment)");
    }

    /** A ConfigMap step, and an app step with a Deployment of {@code replicas} and a volume claim. */
    private static List<PlanStep> app(int replicas, String requests, String claimClass) {
        PlanStep settings = PlanStep.newBuilder().setName("settings").setInputHash("sha256:settings")
                .setObjects(RenderedObjectsGzip.of("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n")).build();
        PlanStep app = PlanStep.newBuilder().setName("app").setInputHash("sha256:app-" + replicas).addDependsOn("settings")
                .setObjects(RenderedObjectsGzip.of("""
                        apiVersion: apps/v1
                        kind: Deployment
                        metadata: {name: app}
                        spec:
                          replicas: %d
                          selector: {matchLabels: {app: app}}
                          template:
                            metadata: {labels: {app: app}}
                            spec:
                              containers:
                                - name: main
                                  image: "busybox:1.37"
                                  resources: {requests: %s}
                        ---
                        apiVersion: v1
                        kind: PersistentVolumeClaim
                        metadata: {name: app-data}
                        spec:
                          storageClassName: %s
                          accessModes: [ReadWriteOnce]
                          resources: {requests: {storage: 1Gi}}
                        """.formatted(replicas, requests, claimClass)))
                .setGate(HealthGate.newBuilder().setTimeoutSeconds(60)).build();
        return List.of(settings, app);
    }

    private static DeploymentPlan plan(List<PlanStep> steps) {
        return DeploymentPlan.newBuilder().addAllSteps(steps).build();
    }

    private static DeploymentPlan plan(PlanStep step) {
        return plan(List.of(step));
    }

    private Command apply(long generation, DeploymentPlan plan) {
        return Command.newBuilder().setCommandId(UUID.randomUUID().toString()).setDeploymentId("dep-preflight")
                .setGeneration(generation)
                .setApply(ApplyDeployment.newBuilder().setNamespace(namespace).setReadyTimeoutSeconds(60)
                        .setRelease(Release.newBuilder().setReleaseId("rel-pkg").setServiceName("svc").setVersion("1.0.0"))
                        .setPlan(plan))
                .build();
    }

    private void applyRbac(String file) throws IOException {
        String rbac = Files.readString(Path.of(file), StandardCharsets.UTF_8)
                .replace("MANAGED_NAMESPACE", namespace).replace("AGENT_NAMESPACE", namespace);
        admin.load(new ByteArrayInputStream(rbac.getBytes(StandardCharsets.UTF_8))).inNamespace(namespace)
                .fieldManager("outpost-test").serverSideApply();
    }

}
