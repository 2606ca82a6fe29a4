package dev.outpost.agent.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.outpost.agent.infra.TestInfrastructureProvider;
import dev.outpost.protocol.release.ContentHash;
import dev.outpost.protocol.release.RenderedObjectsGzip;
import dev.outpost.protocol.v1.ApplyDeployment;
import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.CommandResult;
import dev.outpost.protocol.v1.DeleteDeployment;
import dev.outpost.protocol.v1.DeploymentPlan;
import dev.outpost.protocol.v1.HealthGate;
import dev.outpost.protocol.v1.InfrastructureRequirement;
import dev.outpost.protocol.v1.JobSucceeded;
import dev.outpost.protocol.v1.Outcome;
import dev.outpost.protocol.v1.PlanStep;
import dev.outpost.protocol.v1.Release;
import dev.outpost.protocol.v1.Step;
import dev.outpost.protocol.v1.StepState;
import dev.outpost.protocol.v1.WorkloadsReady;
import dev.outpost.testcluster.KubeCluster;
import dev.outpost.testcluster.KubeClusterExtension;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Package plans (revision 2) against a real API server with controllers and kwok nodes, carried out by
 * the executor as a least-privilege ServiceAccount, with the test infrastructure provider reading a real file.
 */
@ExtendWith(KubeClusterExtension.class)
class PlanExecutorIT {
    private static final Logger LOG = LoggerFactory.getLogger(PlanExecutorIT.class);
    private static final String AGENT = "outpost-agent";
    private static final String QUOTA = "quota exceeded: 0 of 1 g5.xlarge available in eu-west-1";

    @TempDir
    Path stateDir;

    private KubernetesClient admin;
    private KubernetesClient agentClient;
    private String namespace;
    private String deploymentId;
    private Path infrastructureFile;
    private KubeDeploymentExecutor executor;
    private final List<List<Step>> progress = new ArrayList<>();

    @BeforeEach
    void startAgent(KubeCluster cluster) throws IOException {
        admin = cluster.adminClient();
        namespace = cluster.newNamespace("plan");
        grantAgentRole(namespace);
        agentClient = cluster.serviceAccountClient(namespace, AGENT);
        deploymentId = "dep-" + UUID.randomUUID().toString().substring(0, 8);
        infrastructureFile = stateDir.resolve("test-infrastructure.yaml");
        Files.writeString(infrastructureFile, "\"*\": succeed\n");
        executor = new KubeDeploymentExecutor(agentClient, Set.of(namespace), stateDir.resolve("agent"), AGENT,
                Clock.systemUTC(), new TestInfrastructureProvider(infrastructureFile), Optional.empty());
    }

    @AfterEach
    void closeAgentClient() {
        agentClient.close();
    }

    @Test
    void aFailedInfrastructureStepAppliesNothingThatDependsOnItAndARetryResumesFromIt() throws IOException {
        Files.writeString(infrastructureFile, "nodePool/gpu: \"fail: " + QUOTA + "\"\n");
        DeploymentPlan plan = plan(gpuPool(), objects("inference", "sha256:inference-1", INFERENCE, 60, "gpu-pool"));

        CommandResult failed = run(apply(1, plan));

        assertThat(failed.getOutcome()).isEqualTo(Outcome.OUTCOME_FAILED);
        assertThat(failed.getFailedStep()).isEqualTo("gpu-pool");
        assertThat(failed.getFailureReason()).isEqualTo("step `gpu-pool` failed: " + QUOTA
                + "; skipped: `inference` (depends on `gpu-pool`), `prune` (depends on `gpu-pool`)");
        assertThat(failed.getStepsList()).extracting(Step::getName, Step::getState).containsExactly(
                tuple("preflight", StepState.STEP_STATE_SUCCEEDED),
                tuple("gpu-pool", StepState.STEP_STATE_FAILED),
                tuple("inference", StepState.STEP_STATE_SKIPPED),
                tuple("prune", StepState.STEP_STATE_SKIPPED));
        assertThat(admin.apps().deployments().inNamespace(namespace).withName("inference").get()).isNull();
        assertThat(admin.configMaps().inNamespace(namespace).withName("inference-settings").get()).isNull();
        assertThat(executor.applied()).isEmpty();
        assertThat(progress).anySatisfy(steps -> assertThat(steps).extracting(Step::getState)
                .containsExactly(StepState.STEP_STATE_SUCCEEDED, StepState.STEP_STATE_RUNNING, StepState.STEP_STATE_PENDING,
                        StepState.STEP_STATE_PENDING));

        Files.writeString(infrastructureFile, "nodePool/gpu: succeed\n");
        long started = System.nanoTime();
        CommandResult retried = run(apply(1, plan));
        LOG.info("benchmark: retry of the GPU plan to Ready: {} ms", (System.nanoTime() - started) / 1_000_000);

        assertSucceeded(retried);
        assertThat(retried.getFailedStep()).isEmpty();
        assertThat(admin.apps().deployments().inNamespace(namespace).withName("inference").get().getStatus()
                .getAvailableReplicas()).isEqualTo(1);
        assertThat(executor.applied()).containsExactly(retried.getApplied());

        // the provider would refuse now, but an unchanged item is not asked for again, nor are unchanged objects re-applied
        Files.writeString(infrastructureFile, "nodePool/gpu: \"fail: " + QUOTA + "\"\n");
        String version = admin.apps().deployments().inNamespace(namespace).withName("inference").get()
                .getMetadata().getResourceVersion();
        started = System.nanoTime();
        CommandResult again = run(apply(2, plan));
        LOG.info("benchmark: the same plan again, every step unchanged: {} ms", (System.nanoTime() - started) / 1_000_000);

        assertSucceeded(again);
        assertThat(again.getSteps(1).getMessage()).startsWith("unchanged: nodePool `gpu` was made ready before");
        assertThat(again.getSteps(2).getMessage()).startsWith("unchanged");
        assertThat(admin.apps().deployments().inNamespace(namespace).withName("inference").get()
                .getMetadata().getResourceVersion()).isEqualTo(version);

        Files.writeString(infrastructureFile, "nodePool/gpu: succeed\n");
        CommandResult deleted = run(delete(3));
        assertSucceeded(deleted);
        assertThat(deleted.getStepsList()).extracting(Step::getName).contains("remove nodePool/gpu", "forget plan steps");
        assertThat(admin.apps().deployments().inNamespace(namespace).withName("inference").get()).isNull();
        assertThat(executor.applied()).isEmpty();
    }

    @Test
    void aSharedInfrastructureItemIsRemovedOnlyWithTheLastDeploymentUsingIt() throws IOException {
        String first = deploymentId;
        String second = "dep-" + UUID.randomUUID().toString().substring(0, 8);
        assertSucceeded(run(apply(1, plan(gpuPool(), objects("app", "sha256:a", configMap("app-" + first), 30, "gpu-pool")))));
        deploymentId = second;
        assertSucceeded(run(apply(1, plan(gpuPool(), objects("app", "sha256:b", configMap("app-" + second), 30, "gpu-pool")))));

        deploymentId = first;
        CommandResult firstDeleted = run(delete(2));

        assertSucceeded(firstDeleted);
        assertThat(firstDeleted.getStepsList()).filteredOn(step -> step.getName().equals("remove nodePool/gpu"))
                .extracting(Step::getMessage).containsExactly("kept: still used by deployment " + second);
        assertThat(admin.configMaps().inNamespace(namespace).withName("app-" + first).get()).isNull();

        // the provider is asked now: it refuses, so the delete fails saying why, and can be retried
        Files.writeString(infrastructureFile, "remove nodePool/gpu: \"fail: the pool still runs 3 nodes\"\n");
        deploymentId = second;
        CommandResult refused = run(delete(2));
        assertThat(refused.getOutcome()).isEqualTo(Outcome.OUTCOME_FAILED);
        assertThat(refused.getFailureReason()).isEqualTo("remove nodePool/gpu: the pool still runs 3 nodes");

        Files.writeString(infrastructureFile, "\"*\": succeed\n");
        CommandResult secondDeleted = run(delete(3));
        assertSucceeded(secondDeleted);
        assertThat(secondDeleted.getStepsList()).filteredOn(step -> step.getName().equals("remove nodePool/gpu"))
                .extracting(Step::getMessage).containsExactly("nodePool/gpu removed");
    }

    @Test
    void aDependencyThatNeverBecomesReadyKeepsItsDependentsOutAndIsNamedAfterItsTimeout() {
        DeploymentPlan plan = plan(objects("database", "sha256:db-1", STUCK_DATABASE, 3),
                objects("app", "sha256:app-1", APP_SETTINGS, 60, "database"));

        CommandResult result = run(apply(1, plan));

        assertThat(result.getOutcome()).isEqualTo(Outcome.OUTCOME_FAILED);
        assertThat(result.getFailedStep()).isEqualTo("database");
        assertThat(result.getFailureReason()).isEqualTo("step `database` failed: StatefulSet " + namespace
                + "/database not ready after 3 s: 0/1 replicas available; skipped: `app` (depends on `database`), "
                + "`prune` (depends on `database`)");
        assertThat(admin.configMaps().inNamespace(namespace).withName("app-settings").get()).isNull();
        assertThat(admin.apps().statefulSets().inNamespace(namespace).withName("database").get()).isNotNull();

        // what the failed step applied is owned, so deleting the deployment removes it
        assertSucceeded(run(delete(2)));
        assertThat(admin.apps().statefulSets().inNamespace(namespace).withName("database").get()).isNull();
    }

    @Test
    void aJobGateWaitsForTheJobAndAFailedJobFailsItsStepWithTheJobsReason() {
        DeploymentPlan migrates = plan(job("migrate", "sha256:migrate-1", MIGRATION_JOB.formatted("migrate", "", "{}"), 60),
                objects("app", "sha256:app-1", APP_SETTINGS, 60, "migrate"));

        CommandResult result = run(apply(1, migrates));

        assertSucceeded(result);
        assertThat(result.getSteps(1).getMessage()).contains("Job " + namespace + "/migrate succeeded");
        assertThat(admin.configMaps().inNamespace(namespace).withName("app-settings").get()).isNotNull();

        String failing = MIGRATION_JOB.formatted("migrate-v2", "activeDeadlineSeconds: 1",
                "{outpost.dev/no-such-node: \"true\"}");
        CommandResult failed = run(apply(2, plan(job("migrate-v2", "sha256:migrate-2", failing, 60),
                objects("app", "sha256:app-2", APP_SETTINGS.replace("version: v1", "version: v2"), 60, "migrate-v2"))));

        assertThat(failed.getOutcome()).isEqualTo(Outcome.OUTCOME_FAILED);
        assertThat(failed.getFailedStep()).isEqualTo("migrate-v2");
        assertThat(failed.getFailureReason()).startsWith("step `migrate-v2` failed: Job " + namespace
                + "/migrate-v2 failed: DeadlineExceeded").endsWith("; skipped: `app` (depends on `migrate-v2`), "
                + "`prune` (depends on `migrate-v2`)");
        assertThat(admin.configMaps().inNamespace(namespace).withName("app-settings").get().getData())
                .containsEntry("version", "v1");
        // a failed upgrade prunes nothing: the first version's Job is still there
        assertThat(admin.batch().v1().jobs().inNamespace(namespace).withName("migrate").get()).isNotNull();
    }

    @Test
    void anUpgradeThatDropsAnObjectPrunesItAndDeleteRemovesEverything() {
        CommandResult v1 = run(apply(1, plan(objects("redis", "sha256:redis-1", REDIS + SCRIPTS, 60))));
        assertSucceeded(v1);
        assertThat(admin.configMaps().inNamespace(namespace).withName("redis-scripts").get()).isNotNull();

        CommandResult v2 = run(apply(2, plan(objects("redis", "sha256:redis-2", REDIS, 60))));

        assertSucceeded(v2);
        assertThat(v2.getStepsList()).extracting(Step::getName).containsExactly("preflight", "redis", "prune");
        assertThat(v2.getSteps(2).getMessage()).startsWith("pruned ConfigMap/redis-scripts deleted");
        assertThat(admin.configMaps().inNamespace(namespace).withName("redis-scripts").get()).isNull();
        assertThat(admin.apps().statefulSets().inNamespace(namespace).withName("redis").get().getStatus()
                .getReadyReplicas()).isEqualTo(1);
        assertThat(v2.getApplied().getGeneration()).isEqualTo(2);
        // what the hub can compute from the plan it sent: one "<step> <input_hash>" line per step
        assertThat(v2.getApplied().getContentHash()).isEqualTo(ContentHash.of("redis sha256:redis-2\n"))
                .isNotEqualTo(v1.getApplied().getContentHash());

        assertSucceeded(run(delete(3)));
        assertThat(admin.apps().statefulSets().inNamespace(namespace).withName("redis").get()).isNull();
        assertThat(admin.configMaps().inNamespace(namespace).withName("redis-config").get()).isNull();
        assertThat(executor.applied()).isEmpty();
    }

    @Test
    void workloadsReadyWaitsForADaemonSetOnEveryNode() {
        CommandResult result = run(apply(1, plan(objects("node-agent", "sha256:na-1", """
                apiVersion: apps/v1
                kind: DaemonSet
                metadata:
                  name: node-agent
                spec:
                  selector:
                    matchLabels: {app: node-agent}
                  template:
                    metadata:
                      labels: {app: node-agent}
                    spec:
                      containers:
                        - name: main
                          image: "busybox:1.37"
                """, 60))));

        assertSucceeded(result);
        int nodes = admin.nodes().list().getItems().size();
        assertThat(result.getSteps(1).getMessage()).isEqualTo("1 objects applied; DaemonSet " + namespace + "/node-agent: "
                + nodes + "/" + nodes + " pods available, " + nodes + "/" + nodes + " updated");
    }

    @Test
    void aBrokenStepFailsBeforeAnythingIsApplied() {
        DeploymentPlan plan = plan(objects("settings", "sha256:s-1", APP_SETTINGS, 60),
                objects("broken", "sha256:b-1", "kind: ConfigMap\nmetadata: {name: x}\n", 60, "settings"));

        CommandResult result = run(apply(1, plan));

        assertThat(result.getOutcome()).isEqualTo(Outcome.OUTCOME_FAILED);
        assertThat(result.getFailedStep()).isEqualTo("preflight");
        assertThat(result.getFailureReason())
                .startsWith("step `preflight` failed: step `broken`: document 1 has no apiVersion");
        assertThat(result.getStepsList()).extracting(Step::getName, Step::getState).containsExactly(
                tuple("preflight", StepState.STEP_STATE_FAILED),
                tuple("settings", StepState.STEP_STATE_SKIPPED),
                tuple("broken", StepState.STEP_STATE_SKIPPED),
                tuple("prune", StepState.STEP_STATE_SKIPPED));
        assertThat(admin.configMaps().inNamespace(namespace).withName("app-settings").get()).isNull();
    }

    @Test
    void aPlainManifestReleaseIsStillAppliedAsBefore() {
        Command plain = Command.newBuilder().setCommandId(UUID.randomUUID().toString()).setDeploymentId(deploymentId)
                .setGeneration(1).setApply(ApplyDeployment.newBuilder().setNamespace(namespace).setReadyTimeoutSeconds(30)
                        .setRelease(Release.newBuilder().setReleaseId("rel-1").setServiceName("svc").setVersion("1.0.0")
                                .setManifests(APP_SETTINGS)))
                .build();

        CommandResult result = run(plain);

        assertSucceeded(result);
        assertThat(result.getStepsList()).extracting(Step::getName)
                .containsExactly("render", "apply ConfigMap/app-settings", "record inventory");
    }

    private CommandResult run(Command command) {
        return executor.execute(command, progress::add);
    }

    private Command apply(long generation, DeploymentPlan plan) {
        return Command.newBuilder().setCommandId(UUID.randomUUID().toString()).setDeploymentId(deploymentId)
                .setGeneration(generation)
                .setApply(ApplyDeployment.newBuilder().setNamespace(namespace).setReadyTimeoutSeconds(60)
                        .setRelease(Release.newBuilder().setReleaseId("rel-pkg").setServiceName("svc").setVersion("1.0.0"))
                        .setPlan(plan))
                .build();
    }

    private Command delete(long generation) {
        return Command.newBuilder().setCommandId(UUID.randomUUID().toString()).setDeploymentId(deploymentId)
                .setGeneration(generation).setDelete(DeleteDeployment.newBuilder().setNamespace(namespace)).build();
    }

    private static DeploymentPlan plan(PlanStep... steps) {
        return DeploymentPlan.newBuilder().addAllSteps(List.of(steps)).build();
    }

    private static PlanStep gpuPool() {
        return PlanStep.newBuilder().setName("gpu-pool").setInputHash("sha256:gpu-1")
                .setInfrastructure(InfrastructureRequirement.newBuilder().setKind("nodePool").setName("gpu")
                        .putProperties("instanceType", "g5.xlarge").putProperties("gpus", "1"))
                .setGate(HealthGate.newBuilder().setTimeoutSeconds(30))
                .build();
    }

    private static PlanStep objects(String name, String inputHash, String yaml, int timeoutSeconds, String... dependsOn) {
        return PlanStep.newBuilder().setName(name).setInputHash(inputHash).addAllDependsOn(List.of(dependsOn))
                .setObjects(RenderedObjectsGzip.of(yaml))
                .setGate(HealthGate.newBuilder().setTimeoutSeconds(timeoutSeconds).setWorkloadsReady(WorkloadsReady.getDefaultInstance()))
                .build();
    }

    private static PlanStep job(String name, String inputHash, String yaml, int timeoutSeconds) {
        return PlanStep.newBuilder().setName(name).setInputHash(inputHash).setObjects(RenderedObjectsGzip.of(yaml))
                .setGate(HealthGate.newBuilder().setTimeoutSeconds(timeoutSeconds)
                        .setJobSucceeded(JobSucceeded.newBuilder().setJobName(name)))
                .build();
    }


    private static void assertSucceeded(CommandResult result) {
        assertThat(result.getFailureReason()).isEmpty();
        assertThat(result.getOutcome()).isEqualTo(Outcome.OUTCOME_SUCCEEDED);
        assertThat(result.getStepsList()).extracting(Step::getState).containsOnly(StepState.STEP_STATE_SUCCEEDED);
    }

    /** The agent's Role: the usual kinds and Jobs, in its own namespace only. */
    private void grantAgentRole(String ns) {
        List<String> verbs = List.of("get", "list", "watch", "create", "update", "patch", "delete");
        admin.serviceAccounts().inNamespace(ns).resource(new ServiceAccountBuilder()
                .withNewMetadata().withName(AGENT).endMetadata().build()).create();
        admin.rbac().roles().inNamespace(ns).resource(new RoleBuilder().withNewMetadata().withName(AGENT).endMetadata()
                .withRules(new PolicyRuleBuilder().withApiGroups("")
                                .withResources("configmaps", "services", "secrets", "serviceaccounts").withVerbs(verbs).build(),
                        new PolicyRuleBuilder().withApiGroups("apps")
                                .withResources("deployments", "statefulsets", "daemonsets").withVerbs(verbs).build(),
                        new PolicyRuleBuilder().withApiGroups("batch").withResources("jobs").withVerbs(verbs).build())
                .build()).create();
        admin.rbac().roleBindings().inNamespace(ns).resource(new RoleBindingBuilder()
                .withNewMetadata().withName(AGENT).endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "Role", AGENT)
                .addNewSubject().withKind("ServiceAccount").withName(AGENT).withNamespace(ns).endSubject()
                .build()).create();
    }

    private static final String INFERENCE = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: inference-settings
            data:
              model: llama
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: inference
            spec:
              selector:
                matchLabels: {app: inference}
              template:
                metadata:
                  labels: {app: inference}
                spec:
                  containers:
                    - name: main
                      image: "busybox:1.37"
            """;

    private static String configMap(String name) {
        return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\n";
    }

    private static final String STUCK_DATABASE = """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata:
              name: database
            spec:
              serviceName: database
              selector:
                matchLabels: {app: database}
              template:
                metadata:
                  labels: {app: database}
                spec:
                  nodeSelector: {outpost.dev/no-such-node: "true"}
                  containers:
                    - name: main
                      image: "postgres:18"
            """;

    private static final String APP_SETTINGS = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: app-settings
            data:
              version: v1
            """;

    /** A Job: name, an extra spec line, nodeSelector. */
    private static final String MIGRATION_JOB = """
            apiVersion: batch/v1
            kind: Job
            metadata:
              name: %s
            spec:
              backoffLimit: 0
              %s
              template:
                spec:
                  restartPolicy: Never
                  nodeSelector: %s
                  containers:
                    - name: migrate
                      image: "busybox:1.37"
            """;

    private static final String REDIS = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: redis-config
            data:
              maxmemory: 100mb
            ---
            apiVersion: apps/v1
            kind: StatefulSet
            metadata:
              name: redis
            spec:
              serviceName: redis
              selector:
                matchLabels: {app: redis}
              template:
                metadata:
                  labels: {app: redis}
                spec:
                  containers:
                    - name: redis
                      image: "redis:8.0"
            """;

    private static final String SCRIPTS = """
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: redis-scripts
            data:
              ping.sh: redis-cli ping
            """;
}
