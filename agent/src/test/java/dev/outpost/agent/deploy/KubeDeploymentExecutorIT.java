package dev.outpost.agent.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.outpost.protocol.fixtures.ReleaseFixture;
import dev.outpost.protocol.release.Parameters;
import dev.outpost.protocol.v1.AppliedDeployment;
import dev.outpost.protocol.v1.ApplyDeployment;
import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.CommandResult;
import dev.outpost.protocol.v1.DeleteDeployment;
import dev.outpost.protocol.v1.Outcome;
import dev.outpost.protocol.v1.Release;
import dev.outpost.protocol.v1.Step;
import dev.outpost.protocol.v1.StepState;
import dev.outpost.testcluster.KubeCluster;
import dev.outpost.testcluster.KubeClusterExtension;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor against a real API server with controllers and kwok nodes, acting as a ServiceAccount
 * that may only touch the usual kinds in its own namespace (the least privilege the agent documents).
 */
@ExtendWith(KubeClusterExtension.class)
class KubeDeploymentExecutorIT {
    private static final Logger LOG = LoggerFactory.getLogger(KubeDeploymentExecutorIT.class);
    private static final String AGENT = "outpost-agent";
    private static final String LABEL = "outpost.dev/deployment";

    @TempDir
    Path stateDir;

    private KubeCluster cluster;
    private KubernetesClient admin;
    private KubernetesClient agentClient;
    private String namespace;
    private String deploymentId;
    private KubeDeploymentExecutor executor;
    private final List<List<Step>> progress = new ArrayList<>();

    @BeforeEach
    void startAgent(KubeCluster cluster) {
        this.cluster = cluster;
        admin = cluster.adminClient();
        namespace = cluster.newNamespace("deploy");
        grantAgentRole(namespace);
        agentClient = cluster.serviceAccountClient(namespace, AGENT);
        deploymentId = "dep-" + UUID.randomUUID().toString().substring(0, 8);
        executor = new KubeDeploymentExecutor(agentClient, Set.of(namespace), stateDir, AGENT, Clock.systemUTC());
    }

    @AfterEach
    void closeAgentClient() {
        agentClient.close();
    }

    @Test
    void appliesScalesUpgradesAndDeletesTheRedisRelease() {
        long started = System.nanoTime();
        CommandResult v1 = run(apply(1, ReleaseFixture.redisV1(), Map.of(), 120));
        LOG.info("apply redis 1.0.0 to available: {} ms", Duration.ofNanos(System.nanoTime() - started).toMillis());

        assertSucceeded(v1);
        assertThat(v1.getStepsList()).extracting(Step::getName).containsExactly("render",
                "apply ConfigMap/redis-config", "apply ConfigMap/redis-scripts", "apply Service/redis",
                "apply StatefulSet/redis", "wait StatefulSet/redis available", "record inventory");
        assertThat(v1.getApplied().getGeneration()).isEqualTo(1);
        assertThat(v1.getApplied().getContentHash()).startsWith("sha256:");
        assertThat(labelled()).containsExactlyInAnyOrder("ConfigMap/redis-config", "ConfigMap/redis-scripts",
                "Service/redis", "StatefulSet/redis");
        StatefulSet redis = admin.apps().statefulSets().inNamespace(namespace).withName("redis").get();
        assertThat(redis.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "outpost");
        assertThat(redis.getMetadata().getAnnotations()).containsEntry("outpost.dev/generation", "1")
                .containsEntry("outpost.dev/content-hash", v1.getApplied().getContentHash());
        assertThat(redis.getStatus().getReadyReplicas()).isEqualTo(1);
        assertThat(progress).anySatisfy(steps -> assertThat(steps).anySatisfy(step -> {
            assertThat(step.getName()).isEqualTo("wait StatefulSet/redis available");
            assertThat(step.getState()).isEqualTo(StepState.STEP_STATE_RUNNING);
        }));

        started = System.nanoTime();
        CommandResult scaled = run(apply(2, ReleaseFixture.redisV1(), Map.of("replicas", "2"), 120));
        LOG.info("scale redis to 2 replicas, available: {} ms", Duration.ofNanos(System.nanoTime() - started).toMillis());
        assertSucceeded(scaled);
        redis = admin.apps().statefulSets().inNamespace(namespace).withName("redis").get();
        assertThat(redis.getSpec().getReplicas()).isEqualTo(2);
        assertThat(redis.getStatus().getReadyReplicas()).isEqualTo(2);

        started = System.nanoTime();
        CommandResult v2 = run(apply(3, ReleaseFixture.redisV2(), Map.of("replicas", "2"), 120));
        LOG.info("upgrade redis to 2.0.0, available: {} ms", Duration.ofNanos(System.nanoTime() - started).toMillis());
        assertSucceeded(v2);
        assertThat(v2.getStepsList()).extracting(Step::getName).contains("prune ConfigMap/redis-scripts");
        assertThat(labelled()).containsExactlyInAnyOrder("ConfigMap/redis-config", "Service/redis", "StatefulSet/redis");
        redis = admin.apps().statefulSets().inNamespace(namespace).withName("redis").get();
        assertThat(redis.getSpec().getTemplate().getSpec().getContainers().getFirst().getImage()).isEqualTo("redis:8.0");
        assertThat(executor.applied()).containsExactly(v2.getApplied());

        CommandResult deleted = run(delete(4));
        assertSucceeded(deleted);
        assertThat(deleted.hasApplied()).isFalse();
        assertThat(labelled()).isEmpty();
        assertThat(executor.applied()).isEmpty();
    }

    @Test
    void reApplyingTheSameCommandChangesNothing() {
        Command command = apply(1, ReleaseFixture.redisV1(), Map.of(), 120);
        CommandResult first = run(command);
        assertSucceeded(first);
        Map<String, String> versions = resourceVersions();

        CommandResult second = run(command);

        assertSucceeded(second);
        assertThat(second.getApplied()).isEqualTo(first.getApplied());
        assertThat(resourceVersions()).isEqualTo(versions);
    }

    @Test
    void prunesAndDeletesByLabelWhenTheInventoryWasLost() throws IOException {
        assertSucceeded(run(apply(1, ReleaseFixture.redisV1(), Map.of(), 120)));
        loseInventory();

        CommandResult v2 = run(apply(2, ReleaseFixture.redisV2(), Map.of(), 120));

        assertSucceeded(v2);
        assertThat(labelled()).containsExactlyInAnyOrder("ConfigMap/redis-config", "Service/redis", "StatefulSet/redis");

        loseInventory();
        assertSucceeded(run(delete(3)));
        assertThat(labelled()).isEmpty();
    }

    private void loseInventory() throws IOException {
        try (Stream<Path> files = Files.list(stateDir.resolve("deployments"))) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
    }

    @Test
    void neverTakesOverOrDeletesAnotherDeploymentsObjects() {
        assertSucceeded(run(apply(1, ReleaseFixture.redisV1(), Map.of(), 120)));
        Map<String, String> versions = resourceVersions();
        Map<String, String> redisLabels = admin.apps().statefulSets().inNamespace(namespace).withName("redis").get()
                .getMetadata().getLabels();
        String first = deploymentId;
        String second = "dep-" + UUID.randomUUID().toString().substring(0, 8);

        deploymentId = second; // the command helpers act for the second deployment from here on
        CommandResult clash = run(apply(1, ReleaseFixture.redisV1(), Map.of(), 30));

        assertFailed(clash, "apply ConfigMap/redis-config: ConfigMap/redis-config already exists and belongs to "
                + "deployment " + first);
        assertThat(clash.getStepsList()).extracting(Step::getName, Step::getState).containsExactly(
                tuple("render", StepState.STEP_STATE_SUCCEEDED),
                tuple("apply ConfigMap/redis-config", StepState.STEP_STATE_FAILED),
                tuple("apply ConfigMap/redis-scripts", StepState.STEP_STATE_SKIPPED),
                tuple("apply Service/redis", StepState.STEP_STATE_SKIPPED),
                tuple("apply StatefulSet/redis", StepState.STEP_STATE_SKIPPED),
                tuple("wait StatefulSet/redis available", StepState.STEP_STATE_SKIPPED),
                tuple("record inventory", StepState.STEP_STATE_SKIPPED));
        assertThat(resourceVersions()).isEqualTo(versions);
        assertThat(admin.apps().statefulSets().inNamespace(namespace).withName("redis").get()
                .getMetadata().getLabels()).isEqualTo(redisLabels).containsEntry(LABEL, first);

        assertSucceeded(run(delete(2)));
        assertThat(resourceVersions()).isEqualTo(versions);

        deploymentId = first;
        assertThat(labelled()).containsExactlyInAnyOrder("ConfigMap/redis-config", "ConfigMap/redis-scripts",
                "Service/redis", "StatefulSet/redis");
    }

    @Test
    void refusesToApplyOverAnObjectNotManagedByOutpost() {
        admin.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder()
                .withNewMetadata().withName("redis-config").addToLabels("team", "payments").endMetadata()
                .addToData("customer", "own settings").build()).create();
        ConfigMap before = admin.configMaps().inNamespace(namespace).withName("redis-config").get();

        CommandResult result = run(apply(1, ReleaseFixture.redisV1(), Map.of(), 30));

        assertFailed(result, "apply ConfigMap/redis-config: ConfigMap/redis-config already exists and is not "
                + "managed by Outpost");
        assertThat(result.getStepsList()).extracting(Step::getState).containsExactly(StepState.STEP_STATE_SUCCEEDED,
                StepState.STEP_STATE_FAILED, StepState.STEP_STATE_SKIPPED, StepState.STEP_STATE_SKIPPED,
                StepState.STEP_STATE_SKIPPED, StepState.STEP_STATE_SKIPPED, StepState.STEP_STATE_SKIPPED);
        assertThat(admin.configMaps().inNamespace(namespace).withName("redis-config").get()).isEqualTo(before);
        assertThat(labelled()).isEmpty();

        assertSucceeded(run(delete(2)));
        assertThat(admin.configMaps().inNamespace(namespace).withName("redis-config").get()).isEqualTo(before);
    }

    @Test
    void refusesANamespaceOutsideTheAllowedSetBeforeApplyingAnything() {
        String other = cluster.newNamespace("other");
        Command redis = apply(1, ReleaseFixture.redisV1(), Map.of(), 30);
        CommandResult elsewhere = run(redis.toBuilder()
                .setApply(redis.getApply().toBuilder().setNamespace(other)).build());
        assertFailed(elsewhere, "render: the command names namespace '" + other + "', which this agent may not touch");

        String manifests = """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: allowed
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: smuggled
                  namespace: %s
                """.formatted(other);
        CommandResult smuggled = run(apply(1, manifests, 30));
        assertFailed(smuggled, "render: document 2 (ConfigMap/smuggled) names namespace '" + other + "'");

        assertThat(labelled()).isEmpty();
        assertThat(admin.configMaps().inNamespace(other).withLabel(LABEL, deploymentId).list().getItems()).isEmpty();
    }

    @Test
    void reportsWhatTheApiServerRejectsAndSkipsTheRest() {
        String manifests = """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: settings
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: broken
                spec:
                  replicas: -1
                  selector:
                    matchLabels: {app: broken}
                  template:
                    metadata:
                      labels: {app: broken}
                    spec:
                      containers:
                        - name: main
                          image: "busybox:1.37"
                """;

        CommandResult result = run(apply(1, manifests, 30));

        assertFailed(result, "apply Deployment/broken: ");
        assertThat(result.getFailureReason()).contains("spec.replicas").contains("greater than or equal to 0");
        assertThat(result.getStepsList()).extracting(Step::getName, Step::getState).containsExactly(
                tuple("render", StepState.STEP_STATE_SUCCEEDED),
                tuple("apply ConfigMap/settings", StepState.STEP_STATE_SUCCEEDED),
                tuple("apply Deployment/broken", StepState.STEP_STATE_FAILED),
                tuple("wait Deployment/broken available", StepState.STEP_STATE_SKIPPED),
                tuple("record inventory", StepState.STEP_STATE_SKIPPED));
        assertThat(executor.applied()).isEmpty();

        // what was applied before the failure is still owned, so deleting the deployment removes it
        assertSucceeded(run(delete(2)));
        assertThat(labelled()).isEmpty();
    }

    @Test
    void reportsForbiddenKindsInTheApiServersWords() {
        String manifests = """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: Role
                metadata:
                  name: escalate
                rules: []
                """;

        CommandResult result = run(apply(1, manifests, 30));

        assertFailed(result, "apply Role/escalate: ");
        assertThat(result.getFailureReason()).contains("forbidden").contains("system:serviceaccount:" + namespace + ":" + AGENT);
    }

    @Test
    void failsWhenAWorkloadIsNotAvailableInTime() {
        String manifests = """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: stuck
                spec:
                  selector:
                    matchLabels: {app: stuck}
                  template:
                    metadata:
                      labels: {app: stuck}
                    spec:
                      nodeSelector: {outpost.dev/no-such-node: "true"}
                      containers:
                        - name: main
                          image: "busybox:1.37"
                """;

        long started = System.nanoTime();
        CommandResult result = run(apply(1, manifests, 3));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertFailed(result, "wait Deployment/stuck available: not available within 3s: 0/1 replicas available");
        assertThat(result.getStepsList().getLast()).extracting(Step::getName, Step::getState)
                .containsExactly("record inventory", StepState.STEP_STATE_SKIPPED);
        assertThat(took).isBetween(Duration.ofSeconds(3), Duration.ofSeconds(30));
    }

    private CommandResult run(Command command) {
        return executor.execute(command, progress::add);
    }

    private Command apply(long generation, ReleaseFixture release, Map<String, String> overrides, int timeoutSeconds) {
        return Command.newBuilder().setCommandId(UUID.randomUUID().toString()).setDeploymentId(deploymentId)
                .setGeneration(generation)
                .setApply(ApplyDeployment.newBuilder().setRelease(release.toProto("rel-" + release.version()))
                        .putAllParameters(Parameters.merge(release.defaults(), overrides))
                        .setNamespace(namespace).setReadyTimeoutSeconds(timeoutSeconds))
                .build();
    }

    private Command apply(long generation, String manifests, int timeoutSeconds) {
        return Command.newBuilder().setCommandId(UUID.randomUUID().toString()).setDeploymentId(deploymentId)
                .setGeneration(generation)
                .setApply(ApplyDeployment.newBuilder().setNamespace(namespace).setReadyTimeoutSeconds(timeoutSeconds)
                        .setRelease(Release.newBuilder().setReleaseId("rel-x").setServiceName("svc").setVersion("1.0.0")
                                .setManifests(manifests)))
                .build();
    }

    private Command delete(long generation) {
        return Command.newBuilder().setCommandId(UUID.randomUUID().toString()).setDeploymentId(deploymentId)
                .setGeneration(generation).setDelete(DeleteDeployment.newBuilder().setNamespace(namespace)).build();
    }

    private static void assertSucceeded(CommandResult result) {
        assertThat(result.getFailureReason()).isEmpty();
        assertThat(result.getOutcome()).isEqualTo(Outcome.OUTCOME_SUCCEEDED);
        assertThat(result.getStepsList()).extracting(Step::getState).containsOnly(StepState.STEP_STATE_SUCCEEDED);
    }

    private static void assertFailed(CommandResult result, String reasonStart) {
        assertThat(result.getOutcome()).isEqualTo(Outcome.OUTCOME_FAILED);
        assertThat(result.getFailureReason()).startsWith(reasonStart);
        assertThat(result.hasApplied()).isFalse();
    }

    /** "Kind/name" of every object in the namespace labelled with the deployment, as the admin sees it. */
    private List<String> labelled() {
        return Stream.of(
                        admin.configMaps().inNamespace(namespace).withLabel(LABEL, deploymentId).list().getItems(),
                        admin.secrets().inNamespace(namespace).withLabel(LABEL, deploymentId).list().getItems(),
                        admin.services().inNamespace(namespace).withLabel(LABEL, deploymentId).list().getItems(),
                        admin.apps().deployments().inNamespace(namespace).withLabel(LABEL, deploymentId).list().getItems(),
                        admin.apps().statefulSets().inNamespace(namespace).withLabel(LABEL, deploymentId).list().getItems())
                .flatMap(List::stream)
                .map(object -> kindOf(object) + "/" + object.getMetadata().getName())
                .toList();
    }

    private Map<String, String> resourceVersions() {
        Map<String, String> versions = new TreeMap<>();
        Stream.of(admin.configMaps().inNamespace(namespace).withName("redis-config").get(),
                        admin.configMaps().inNamespace(namespace).withName("redis-scripts").get(),
                        admin.services().inNamespace(namespace).withName("redis").get(),
                        admin.apps().statefulSets().inNamespace(namespace).withName("redis").get())
                .forEach(object -> versions.put(kindOf(object) + "/" + object.getMetadata().getName(),
                        object.getMetadata().getResourceVersion()));
        return versions;
    }

    private static String kindOf(HasMetadata object) {
        return object.getClass().getSimpleName();
    }

    /** The agent's Role: the usual kinds, in its own namespace only. */
    private void grantAgentRole(String ns) {
        List<String> verbs = List.of("get", "list", "watch", "create", "update", "patch", "delete");
        admin.serviceAccounts().inNamespace(ns).resource(new ServiceAccountBuilder()
                .withNewMetadata().withName(AGENT).endMetadata().build()).create();
        admin.rbac().roles().inNamespace(ns).resource(new RoleBuilder().withNewMetadata().withName(AGENT).endMetadata()
                .withRules(new PolicyRuleBuilder().withApiGroups("")
                                .withResources("configmaps", "services", "secrets", "serviceaccounts").withVerbs(verbs).build(),
                        new PolicyRuleBuilder().withApiGroups("apps")
                                .withResources("deployments", "statefulsets").withVerbs(verbs).build())
                .build()).create();
        admin.rbac().roleBindings().inNamespace(ns).resource(new RoleBindingBuilder()
                .withNewMetadata().withName(AGENT).endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "Role", AGENT)
                .addNewSubject().withKind("ServiceAccount").withName(AGENT).withNamespace(ns).endSubject()
                .build()).create();
    }
}
