package dev.outpost.agent.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.agent.deploy.KubeDeploymentExecutor;
import dev.outpost.protocol.fixtures.ReleaseFixture;
import dev.outpost.protocol.release.Parameters;
import dev.outpost.protocol.v1.ApplyDeployment;
import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.CommandResult;
import dev.outpost.protocol.v1.DeleteDeployment;
import dev.outpost.protocol.v1.DriftChange;
import dev.outpost.protocol.v1.DriftPolicy;
import dev.outpost.protocol.v1.DriftReport;
import dev.outpost.protocol.v1.DriftedObject;
import dev.outpost.protocol.v1.Outcome;
import dev.outpost.testcluster.KubeCluster;
import dev.outpost.testcluster.KubeClusterExtension;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The drift watch against a real API server: the agent (a least-privilege ServiceAccount) applies the
 * redis release, then an admin client (another field manager, like kubectl) edits, scales and deletes
 * its objects. Detection and heal latencies are printed, not asserted.
 */
@ExtendWith(KubeClusterExtension.class)
class DriftWatchIT {
    private static final Logger LOG = LoggerFactory.getLogger(DriftWatchIT.class);
    private static final String AGENT = "outpost-agent";
    private static final Duration WITHIN = Duration.ofSeconds(10);

    @TempDir
    Path stateDir;

    private KubernetesClient admin;
    private KubernetesClient agentClient;
    private String namespace;
    private String deploymentId;
    private DriftWatch watch;
    private KubeDeploymentExecutor executor;
    private final List<DriftReport> reports = new CopyOnWriteArrayList<>();
    private final AtomicBoolean connected = new AtomicBoolean(true);

    @BeforeEach
    void startAgent(KubeCluster cluster) {
        admin = cluster.adminClient();
        namespace = cluster.newNamespace("drift");
        grantAgentRole(namespace);
        agentClient = cluster.serviceAccountClient(namespace, AGENT);
        deploymentId = "dep-" + UUID.randomUUID().toString().substring(0, 8);
        watch = startWatch(new DriftWatch(agentClient, stateDir, AGENT, Clock.systemUTC()));
        executor = new KubeDeploymentExecutor(agentClient, Set.of(namespace), stateDir, AGENT, Clock.systemUTC(), watch);
    }

    @AfterEach
    void stopAgent() {
        watch.close();
        agentClient.close();
    }

    @Test
    void reportsAnEditAScaleAndADeletionWithinSecondsNamingTheFields() {
        assertSucceeded(run(apply(1, DriftPolicy.DRIFT_POLICY_REPORT, "1")));
        // the agent's own change (scale to 2 by a new apply) is not drift
        assertSucceeded(run(apply(2, DriftPolicy.DRIFT_POLICY_REPORT, "2")));

        long edited = System.nanoTime();
        admin.configMaps().inNamespace(namespace).withName("redis-config")
                .edit(cm -> { cm.getData().put("maxmemory", "2gb"); return cm; });
        DriftedObject config = awaitDrift("ConfigMap", "redis-config", DriftChange.DRIFT_CHANGE_MODIFIED);
        LOG.info("drift detected: ConfigMap edit reported after {} ms", millisSince(edited));
        assertThat(config.getFieldsList()).containsExactly("data.maxmemory");
        assertThat(config.getHealed()).isFalse();
        // nothing else was reported: the apply that scaled to 2 was the agent's own
        assertThat(reports).allSatisfy(report -> assertThat(report.getObjectsList())
                .extracting(DriftedObject::getName).containsOnly("redis-config"));

        long scaled = System.nanoTime();
        admin.apps().statefulSets().inNamespace(namespace).withName("redis").scale(3);
        DriftedObject redis = awaitDrift("StatefulSet", "redis", DriftChange.DRIFT_CHANGE_MODIFIED);
        LOG.info("drift detected: StatefulSet scale reported after {} ms", millisSince(scaled));
        assertThat(redis.getFieldsList()).containsExactly("spec.replicas");

        long deleted = System.nanoTime();
        admin.configMaps().inNamespace(namespace).withName("redis-scripts").delete();
        DriftedObject scripts = awaitDrift("ConfigMap", "redis-scripts", DriftChange.DRIFT_CHANGE_DELETED);
        LOG.info("drift detected: ConfigMap deletion reported after {} ms", millisSince(deleted));
        assertThat(scripts.getFieldsList()).isEmpty();

        // policy report changes nothing; the first-seen time of an unchanged drift stays
        DriftReport last = reports.getLast();
        assertThat(last.getObjectsList()).extracting(DriftedObject::getName)
                .containsExactlyInAnyOrder("redis-config", "redis", "redis-scripts");
        assertThat(last.getObjectsList()).filteredOn(o -> o.getName().equals("redis-config")).first()
                .extracting(DriftedObject::getDetectedAtUnixMs).isEqualTo(config.getDetectedAtUnixMs());
        assertThat(admin.configMaps().inNamespace(namespace).withName("redis-config").get().getData())
                .containsEntry("maxmemory", "2gb");
        assertThat(admin.configMaps().inNamespace(namespace).withName("redis-scripts").get()).isNull();

        // a new apply puts everything back and clears the drift
        assertSucceeded(run(apply(3, DriftPolicy.DRIFT_POLICY_REPORT, "2")));
        await().atMost(WITHIN).until(() -> !reports.isEmpty() && reports.getLast().getObjectsCount() == 0);
        assertThat(watch.state(deploymentId).orElseThrow().drift()).isEmpty();
    }

    @Test
    void whatTheServerAndControllersAddIsNotDrift() {
        String manifests = """
                apiVersion: v1
                kind: Secret
                metadata:
                  name: auth
                stringData:
                  password: "s3cret"
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  name: web
                spec:
                  selector: {app: web}
                  ports:
                    - port: 80
                      targetPort: 8080
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: web
                spec:
                  replicas: 2
                  selector:
                    matchLabels: {app: web}
                  template:
                    metadata:
                      labels: {app: web}
                    spec:
                      containers:
                        - name: main
                          image: "busybox:1.37"
                          resources:
                            limits: {cpu: "0.5", memory: 64Mi}
                """;
        assertSucceeded(run(Command.newBuilder().setCommandId(UUID.randomUUID().toString())
                .setDeploymentId(deploymentId).setGeneration(1)
                .setApply(ApplyDeployment.newBuilder().setNamespace(namespace).setReadyTimeoutSeconds(120)
                        .setDriftPolicy(DriftPolicy.DRIFT_POLICY_REPORT)
                        .setRelease(dev.outpost.protocol.v1.Release.newBuilder().setReleaseId("rel-web")
                                .setServiceName("web").setVersion("1.0.0").setManifests(manifests)))
                .build()));
        await().atMost(WITHIN).until(() -> watch.state(deploymentId).map(d -> d.objects().size() == 3).orElse(false));

        // defaults, status, a revision annotation, cpu written as 500m: none of it is drift
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                .until(() -> watch.state(deploymentId).orElseThrow().drift().isEmpty());

        admin.apps().deployments().inNamespace(namespace).withName("web").scale(1);
        assertThat(awaitDrift("Deployment", "web", DriftChange.DRIFT_CHANGE_MODIFIED).getFieldsList())
                .containsExactly("spec.replicas");
    }

    @Test
    void anEditUndoneByHandClearsTheReport() {
        assertSucceeded(run(apply(1, DriftPolicy.DRIFT_POLICY_REPORT, "1")));
        admin.configMaps().inNamespace(namespace).withName("redis-config")
                .edit(cm -> { cm.getData().put("maxmemory", "2gb"); return cm; });
        awaitDrift("ConfigMap", "redis-config", DriftChange.DRIFT_CHANGE_MODIFIED);

        admin.configMaps().inNamespace(namespace).withName("redis-config")
                .edit(cm -> { cm.getData().put("maxmemory", "64mb"); return cm; });

        await().atMost(WITHIN).until(() -> reports.getLast().getObjectsCount() == 0);
    }

    @Test
    void healPutsBackAnEditAScaleAndADeletedObject() {
        assertSucceeded(run(apply(1, DriftPolicy.DRIFT_POLICY_HEAL, "1")));

        long edited = System.nanoTime();
        admin.configMaps().inNamespace(namespace).withName("redis-config")
                .edit(cm -> { cm.getData().put("maxmemory", "2gb"); return cm; });
        await().atMost(WITHIN).until(() -> "64mb".equals(configValue("redis-config", "maxmemory")));
        LOG.info("drift healed: ConfigMap edit put back after {} ms", millisSince(edited));
        DriftedObject config = awaitDrift("ConfigMap", "redis-config", DriftChange.DRIFT_CHANGE_MODIFIED);
        assertThat(config.getHealed()).isTrue();
        assertThat(config.getFieldsList()).containsExactly("data.maxmemory");

        long scaled = System.nanoTime();
        admin.apps().statefulSets().inNamespace(namespace).withName("redis").scale(3);
        await().atMost(WITHIN).until(() -> admin.apps().statefulSets().inNamespace(namespace).withName("redis").get()
                .getSpec().getReplicas() == 1 && healed("StatefulSet", "redis"));
        LOG.info("drift healed: StatefulSet scale put back after {} ms", millisSince(scaled));

        long deleted = System.nanoTime();
        admin.configMaps().inNamespace(namespace).withName("redis-scripts").delete();
        await().atMost(WITHIN).until(() -> admin.configMaps().inNamespace(namespace).withName("redis-scripts").get() != null
                && healed("ConfigMap", "redis-scripts"));
        LOG.info("drift healed: deleted ConfigMap recreated after {} ms", millisSince(deleted));
        assertThat(configValue("redis-scripts", "healthcheck.sh")).isEqualTo("redis-cli ping");
    }

    @Test
    void aFightWithAnotherWriterStopsAfterTheBoundedHealsAndStaysVisible() {
        watch.close();
        watch = startWatch(new DriftWatch(agentClient, stateDir, AGENT, Clock.systemUTC(), new HealLimiter(
                Clock.systemUTC(), 2, Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofMinutes(10), () -> 1.0)));
        executor = new KubeDeploymentExecutor(agentClient, Set.of(namespace), stateDir, AGENT, Clock.systemUTC(), watch);
        assertSucceeded(run(apply(1, DriftPolicy.DRIFT_POLICY_HEAL, "1")));

        for (int heal = 1; heal <= 2; heal++) {
            admin.configMaps().inNamespace(namespace).withName("redis-config")
                    .edit(cm -> { cm.getData().put("maxmemory", "2gb"); return cm; });
            await().atMost(WITHIN).until(() -> "64mb".equals(configValue("redis-config", "maxmemory")));
        }
        admin.configMaps().inNamespace(namespace).withName("redis-config")
                .edit(cm -> { cm.getData().put("maxmemory", "2gb"); return cm; });

        await().atMost(WITHIN).until(() -> {
            Optional<DriftedObject> last = latest("ConfigMap", "redis-config");
            return last.isPresent() && !last.get().getHealed();
        });
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                .until(() -> "2gb".equals(configValue("redis-config", "maxmemory")));
    }

    @Test
    void driftSurvivesARestartAndIsSentAgainAfterReconnecting() {
        assertSucceeded(run(apply(1, DriftPolicy.DRIFT_POLICY_REPORT, "1")));
        admin.apps().statefulSets().inNamespace(namespace).withName("redis").scale(2);
        DriftedObject before = awaitDrift("StatefulSet", "redis", DriftChange.DRIFT_CHANGE_MODIFIED);

        watch.close();
        reports.clear();
        connected.set(false);
        watch = startWatch(new DriftWatch(agentClient, stateDir, AGENT, Clock.systemUTC()));
        await().atMost(WITHIN).until(() -> watch.state(deploymentId).map(d -> !d.drift().isEmpty()).orElse(false));
        assertThat(reports).isEmpty(); // not connected: nothing sent

        connected.set(true);
        watch.connected(2);

        DriftedObject after = awaitDrift("StatefulSet", "redis", DriftChange.DRIFT_CHANGE_MODIFIED);
        assertThat(after).isEqualTo(before);
    }

    @Test
    void aDeletedDeploymentIsNoLongerWatched() {
        assertSucceeded(run(apply(1, DriftPolicy.DRIFT_POLICY_REPORT, "1")));
        assertSucceeded(run(Command.newBuilder().setCommandId(UUID.randomUUID().toString())
                .setDeploymentId(deploymentId).setGeneration(2)
                .setDelete(DeleteDeployment.newBuilder().setNamespace(namespace)).build()));

        await().atMost(WITHIN).until(() -> watch.state(deploymentId).isEmpty());
        assertThat(reports).allSatisfy(report -> assertThat(report.getObjectsList()).isEmpty());
    }

    private DriftWatch startWatch(DriftWatch started) {
        started.setOutlet(report -> connected.get() && reports.add(report));
        started.start();
        started.connected(2);
        return started;
    }

    private DriftedObject awaitDrift(String kind, String name, DriftChange change) {
        await().atMost(WITHIN).until(() -> latest(kind, name).map(o -> o.getChange() == change).orElse(false));
        return latest(kind, name).orElseThrow();
    }

    private boolean healed(String kind, String name) {
        return latest(kind, name).map(DriftedObject::getHealed).orElse(false);
    }

    /** The object in the latest report for the deployment. */
    private Optional<DriftedObject> latest(String kind, String name) {
        List<DriftReport> mine = reports.stream().filter(r -> r.getDeploymentId().equals(deploymentId)).toList();
        if (mine.isEmpty()) {
            return Optional.empty();
        }
        return mine.getLast().getObjectsList().stream()
                .filter(o -> o.getKind().equals(kind) && o.getName().equals(name)).findFirst();
    }

    private String configValue(String name, String key) {
        ConfigMap map = admin.configMaps().inNamespace(namespace).withName(name).get();
        return map == null || map.getData() == null ? null : map.getData().get(key);
    }

    private CommandResult run(Command command) {
        return executor.execute(command, steps -> { });
    }

    private Command apply(long generation, DriftPolicy policy, String replicas) {
        ReleaseFixture release = ReleaseFixture.redisV1();
        return Command.newBuilder().setCommandId(UUID.randomUUID().toString()).setDeploymentId(deploymentId)
                .setGeneration(generation)
                .setApply(ApplyDeployment.newBuilder().setRelease(release.toProto("rel-1"))
                        .putAllParameters(Parameters.merge(release.defaults(), Map.of("replicas", replicas)))
                        .setNamespace(namespace).setReadyTimeoutSeconds(120).setDriftPolicy(policy))
                .build();
    }

    private static void assertSucceeded(CommandResult result) {
        assertThat(result.getFailureReason()).isEmpty();
        assertThat(result.getOutcome()).isEqualTo(Outcome.OUTCOME_SUCCEEDED);
    }

    private static long millisSince(long nanos) {
        return Duration.ofNanos(System.nanoTime() - nanos).toMillis();
    }

    /** The agent's Role: the usual kinds, in its own namespace only (watch included, as agent/rbac grants). */
    private void grantAgentRole(String ns) {
        List<String> verbs = List.of("get", "list", "watch", "create", "update", "patch", "delete");
        admin.serviceAccounts().inNamespace(ns).resource(new ServiceAccountBuilder()
                .withNewMetadata().withName(AGENT).endMetadata().build()).create();
        admin.rbac().roles().inNamespace(ns).resource(new RoleBuilder().withNewMetadata().withName(AGENT).endMetadata()
                .withRules(new PolicyRuleBuilder().withApiGroups("")
                                .withResources("configmaps", "services", "secrets").withVerbs(verbs).build(),
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
