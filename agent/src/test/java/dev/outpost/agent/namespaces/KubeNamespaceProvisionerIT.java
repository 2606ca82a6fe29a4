package dev.outpost.agent.namespaces;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.outpost.agent.cluster.ClusterPreflight;
import dev.outpost.protocol.v1.DeploymentPlan;
import dev.outpost.testcluster.KubeCluster;
import dev.outpost.testcluster.KubeClusterExtension;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
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
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provisioner against a real API server with controllers, acting as the agent's ServiceAccount
 * under exactly the RBAC of agent/rbac/per-deployment.yaml (and its admission policy).
 */
@ExtendWith(KubeClusterExtension.class)
class KubeNamespaceProvisionerIT {
    private static final Logger LOG = LoggerFactory.getLogger(KubeNamespaceProvisionerIT.class);
    private static final String AGENT = "outpost-agent";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final DeploymentPlan PLAN = DeploymentPlan.newBuilder()
            .putNamespaceQuota("requests.cpu", "2").putNamespaceQuota("limits.memory", "4Gi")
            .putContainerDefaultLimits("memory", "256Mi").putContainerDefaultLimits("cpu", "250m")
            .build();

    private KubeCluster cluster;
    private KubernetesClient agent;
    private KubeNamespaceProvisioner provisioner;
    private String suffix;

    @BeforeEach
    void agentWithPerDeploymentRbac(KubeCluster cluster) throws IOException {
        this.cluster = cluster;
        String agentNamespace = cluster.newNamespace("agent");
        cluster.adminClient().serviceAccounts().inNamespace(agentNamespace).resource(new ServiceAccountBuilder()
                .withNewMetadata().withName(AGENT).endMetadata().build()).create();
        applyPerDeploymentRbac(cluster, agentNamespace);
        agent = cluster.serviceAccountClient(agentNamespace, AGENT);
        // RBAC changes reach the API server's authorizer through a watch, in moments; wait for them, not sleep.
        await("the per-deployment RBAC in force").atMost(Duration.ofSeconds(30))
                .until(() -> new ClusterPreflight(agent, Set.of(), true).run().ok());
        provisioner = new KubeNamespaceProvisioner(agent, "outpost-agent", Optional.empty(), Clock.systemUTC());
        suffix = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
    }

    @AfterEach
    void closeClient() {
        if (agent != null) {
            agent.close();
        }
    }

    /** The documented file, with the agent's namespace filled in as setup.sh does, applied by an admin. */
    static void applyPerDeploymentRbac(KubeCluster cluster, String agentNamespace) throws IOException {
        String yaml = Files.readString(Path.of("rbac/per-deployment.yaml"), StandardCharsets.UTF_8)
                .replace("AGENT_NAMESPACE", agentNamespace);
        cluster.adminClient().load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)))
                .fieldManager("outpost-test").forceConflicts().serverSideApply();
    }

    @Test
    void ensureCreatesTheNamespaceWithItsGuardRailsAndASecondCallChangesNothing() throws Exception {
        String namespace = "svc-" + suffix;
        long started = System.nanoTime();
        provisioner.ensure(namespace, "dep-" + suffix, PLAN);
        LOG.info("ensure of a new namespace took {} ms", (System.nanoTime() - started) / 1_000_000);

        KubernetesClient admin = cluster.adminClient();
        assertThat(admin.namespaces().withName(namespace).get().getMetadata().getLabels())
                .containsEntry("outpost.dev/managed-by", "outpost-agent").containsEntry("outpost.dev/deployment-id", "dep-" + suffix);
        var policy = admin.network().v1().networkPolicies().inNamespace(namespace).withName(GuardRails.NETWORK_POLICY).get();
        assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress");
        assertThat(policy.getSpec().getIngress()).singleElement()
                .satisfies(rule -> assertThat(rule.getFrom()).singleElement()
                        .satisfies(peer -> assertThat(peer.getNamespaceSelector()).isNull()));
        assertThat(admin.resourceQuotas().inNamespace(namespace).withName(GuardRails.RESOURCE_QUOTA).get().getSpec().getHard())
                .containsEntry("requests.cpu", new Quantity("2")).containsEntry("limits.memory", new Quantity("4Gi"));
        assertThat(admin.limitRanges().inNamespace(namespace).withName(GuardRails.LIMIT_RANGE).get().getSpec().getLimits())
                .singleElement().satisfies(item -> assertThat(item.getDefault()).containsEntry("memory", new Quantity("256Mi")));
        // The agent may now work there: that is what the RoleBinding it made is for.
        agent.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder().withNewMetadata().withName("app")
                .endMetadata().build()).create();

        List<String> before = versions(admin, namespace);
        started = System.nanoTime();
        provisioner.ensure(namespace, "dep-" + suffix, PLAN);
        LOG.info("ensure of an existing namespace took {} ms", (System.nanoTime() - started) / 1_000_000);
        assertThat(versions(admin, namespace)).as("nothing written by the second ensure").isEqualTo(before);

        // A later plan without quota and limits takes them away; the network policy stays.
        provisioner.ensure(namespace, "dep-" + suffix, DeploymentPlan.getDefaultInstance());
        assertThat(admin.resourceQuotas().inNamespace(namespace).withName(GuardRails.RESOURCE_QUOTA).get()).isNull();
        assertThat(admin.limitRanges().inNamespace(namespace).withName(GuardRails.LIMIT_RANGE).get()).isNull();
        assertThat(admin.network().v1().networkPolicies().inNamespace(namespace).withName(GuardRails.NETWORK_POLICY).get())
                .isNotNull();
    }

    @Test
    void aNamespaceTheAgentDidNotCreateIsRefusedAndOutOfItsReach() {
        String foreign = cluster.createNamespace("foreign-" + suffix);
        KubernetesClient admin = cluster.adminClient();

        assertThatThrownBy(() -> provisioner.ensure(foreign, "dep-" + suffix, PLAN)).isInstanceOf(NamespaceException.class)
                .hasMessageContaining("namespace " + foreign + " exists and was not created by the agent");
        // Even a namespace labelled as the agent's by someone else is not: the agent did not bind itself there.
        assertThat(admin.rbac().roleBindings().inNamespace(foreign).list().getItems()).isEmpty();

        // Under its RBAC the agent can touch nothing in it, nor the namespace itself.
        assertForbidden(() -> agent.configMaps().inNamespace(foreign).resource(new ConfigMapBuilder()
                .withNewMetadata().withName("intruder").endMetadata().build()).create());
        assertForbidden(() -> agent.namespaces().withName(foreign).delete());
        assertForbidden(() -> agent.namespaces().withName(foreign).edit(ns -> new NamespaceBuilder(ns).editMetadata()
                .addToLabels(NamespaceOwnership.labels("dep-" + suffix)).endMetadata().build()));
        // Binding itself there is what the admission policy stops (RBAC alone would allow it). The API server
        // loads a new policy within a second or so; a dry run (which passes admission) shows when it is in force.
        var binding = new RoleBindingBuilder()
                .withNewMetadata().withName(KubeNamespaceProvisioner.ROLE_BINDING).endMetadata()
                .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole")
                .withName(KubeNamespaceProvisioner.DEPLOYER_ROLE).endRoleRef()
                .addNewSubject().withKind("ServiceAccount").withName(AGENT)
                .withNamespace(agent.getConfiguration().getNamespace()).endSubject()
                .build();
        await("the admission policy in force").atMost(Duration.ofSeconds(30)).until(() -> {
                    try {
                        agent.rbac().roleBindings().inNamespace(foreign).resource(binding).dryRun().create();
                        return false;
                    } catch (KubernetesClientException e) {
                        return e.getCode() == 403;
                    }
                });
        assertForbidden(() -> agent.rbac().roleBindings().inNamespace(foreign).resource(binding).create());
        // Nor may it create a namespace that does not say it is the agent's.
        assertForbidden(() -> agent.namespaces().resource(new NamespaceBuilder().withNewMetadata()
                .withName("unlabelled-" + suffix).endMetadata().build()).create());

        assertThat(catchRemove(foreign)).isEqualTo(new NamespaceRemoval(false, List.of()));
        assertThat(admin.namespaces().withName(foreign).get()).isNotNull();
    }

    @Test
    void anotherDeploymentsNamespaceIsRefusedWithItsOwner() throws Exception {
        String namespace = "shared-" + suffix;
        provisioner.ensure(namespace, "first-" + suffix, DeploymentPlan.getDefaultInstance());

        assertThatThrownBy(() -> provisioner.ensure(namespace, "second-" + suffix, PLAN)).isInstanceOf(NamespaceException.class)
                .hasMessageContaining("namespace " + namespace + " belongs to another deployment "
                        + "(outpost.dev/deployment-id=first-" + suffix + ")");
        assertThat(provisioner.remove(namespace, "second-" + suffix, TIMEOUT)).isEqualTo(new NamespaceRemoval(false, List.of()));
        assertThat(cluster.adminClient().namespaces().withName(namespace).get()).isNotNull();
    }

    @Test
    void removeDeletesTheNamespaceAndWaitsUntilItIsGone() throws Exception {
        String namespace = "gone-" + suffix;
        provisioner.ensure(namespace, "dep-" + suffix, PLAN);
        agent.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder().withNewMetadata().withName("app")
                .endMetadata().build()).create();

        long started = System.nanoTime();
        NamespaceRemoval removal = provisioner.remove(namespace, "dep-" + suffix, TIMEOUT);
        LOG.info("remove of a namespace took {} ms", (System.nanoTime() - started) / 1_000_000);

        assertThat(removal).isEqualTo(new NamespaceRemoval(true, List.of()));
        assertThat(cluster.adminClient().namespaces().withName(namespace).get()).isNull();
        // Removing again is fine: there is nothing left.
        assertThat(provisioner.remove(namespace, "dep-" + suffix, TIMEOUT)).isEqualTo(new NamespaceRemoval(true, List.of()));
    }

    @Test
    void aRetainedClaimKeepsTheNamespaceWithOnlyThatClaimInIt() throws Exception {
        String namespace = "keep-" + suffix;
        provisioner.ensure(namespace, "dep-" + suffix, PLAN);
        agent.persistentVolumeClaims().inNamespace(namespace).resource(claim("data-redis-0", true)).create();
        agent.persistentVolumeClaims().inNamespace(namespace).resource(claim("scratch", false)).create();
        agent.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder().withNewMetadata().withName("app")
                .endMetadata().build()).create();

        NamespaceRemoval removal = provisioner.remove(namespace, "dep-" + suffix, TIMEOUT);

        assertThat(removal).isEqualTo(new NamespaceRemoval(false, List.of("data-redis-0")));
        KubernetesClient admin = cluster.adminClient();
        assertThat(admin.namespaces().withName(namespace).get()).isNotNull();
        assertThat(admin.persistentVolumeClaims().inNamespace(namespace).list().getItems())
                .extracting(pvc -> pvc.getMetadata().getName()).containsExactly("data-redis-0");
        assertThat(admin.configMaps().inNamespace(namespace).withName("app").get()).isNull();
        assertThat(admin.network().v1().networkPolicies().inNamespace(namespace).list().getItems()).isEmpty();
        assertThat(admin.resourceQuotas().inNamespace(namespace).list().getItems()).isEmpty();
        // The deployment can come back to its data: ensure accepts the kept namespace.
        provisioner.ensure(namespace, "dep-" + suffix, PLAN);
        assertThat(admin.network().v1().networkPolicies().inNamespace(namespace).withName(GuardRails.NETWORK_POLICY).get())
                .isNotNull();
    }

    @Test
    void aStatefulSetsClaimMarkedInItsTemplateIsKeptWhenEverythingElseGoes() throws Exception {
        String namespace = "sts-" + suffix;
        provisioner.ensure(namespace, "dep-" + suffix, PLAN);
        // As a chart writes it: the marker in volumeClaimTemplates, which the controller copies onto each claim,
        // and a policy that would delete the claims with the StatefulSet (so the owner references must go first).
        agent.apps().statefulSets().inNamespace(namespace).resource(new StatefulSetBuilder()
                .withNewMetadata().withName("redis").endMetadata()
                .withNewSpec().withReplicas(1).withServiceName("redis")
                .withNewSelector().addToMatchLabels("app", "redis").endSelector()
                .withNewPersistentVolumeClaimRetentionPolicy().withWhenDeleted("Delete").withWhenScaled("Retain")
                .endPersistentVolumeClaimRetentionPolicy()
                .withNewTemplate().withNewMetadata().addToLabels("app", "redis").endMetadata()
                .withNewSpec().addNewContainer().withName("redis").withImage("redis:7")
                .addNewVolumeMount().withName("data").withMountPath("/data").endVolumeMount().endContainer()
                .endSpec().endTemplate()
                .withVolumeClaimTemplates(new PersistentVolumeClaimBuilder(claim("data", true))
                        .editMetadata().withNamespace(null).endMetadata().build())
                .endSpec().build()).create();
        await("the StatefulSet's claim").atMost(Duration.ofSeconds(30)).until(() ->
                agent.persistentVolumeClaims().inNamespace(namespace).withName("data-redis-0").get() != null);

        NamespaceRemoval removal = provisioner.remove(namespace, "dep-" + suffix, TIMEOUT);

        assertThat(removal).isEqualTo(new NamespaceRemoval(false, List.of("data-redis-0")));
        KubernetesClient admin = cluster.adminClient();
        assertThat(admin.apps().statefulSets().inNamespace(namespace).list().getItems()).isEmpty();
        assertThat(admin.persistentVolumeClaims().inNamespace(namespace).withName("data-redis-0").get())
                .satisfies(pvc -> assertThat(pvc.getMetadata().getDeletionTimestamp()).isNull());
    }

    @Test
    void thePreflightOfPerDeploymentModeNamesTheMissingClusterPermissions() throws Exception {
        assertThat(new ClusterPreflight(agent, Set.of(), true).run().problems()).isEmpty();

        String bare = cluster.newNamespace("bare");
        cluster.adminClient().serviceAccounts().inNamespace(bare).resource(new ServiceAccountBuilder()
                .withNewMetadata().withName(AGENT).endMetadata().build()).create();
        try (KubernetesClient unbound = cluster.serviceAccountClient(bare, AGENT)) {
            assertThat(new ClusterPreflight(unbound, Set.of(), true).run().problems()).singleElement()
                    .satisfies(problem -> assertThat(problem)
                            .contains("per-deployment namespaces: the agent as system:serviceaccount:" + bare + ":" + AGENT)
                            .contains("may not create namespaces; get namespaces; create rbac.authorization.k8s.io/rolebindings; "
                                    + "bind rbac.authorization.k8s.io/clusterroles outpost-agent-deployer cluster-wide")
                            .contains("agent/rbac/setup.sh --agent-namespace " + bare + " --per-deployment")
                            .contains("--namespace-mode existing"));
            // In existing mode the same agent is not asked for any of that.
            assertThat(new ClusterPreflight(unbound, Set.of(), false).run().problems()).isEmpty();
        }
    }

    private NamespaceRemoval catchRemove(String namespace) {
        try {
            return provisioner.remove(namespace, "dep-" + suffix, TIMEOUT);
        } catch (NamespaceException e) {
            throw new AssertionError(e);
        }
    }

    private static PersistentVolumeClaim claim(String name, boolean retain) {
        return new PersistentVolumeClaimBuilder()
                .withNewMetadata().withName(name).withLabels(retain ? Map.of("outpost.dev/retain", "true") : Map.of())
                .endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").withNewResources()
                .addToRequests("storage", new Quantity("1Gi")).endResources().endSpec()
                .build();
    }

    private static List<String> versions(KubernetesClient admin, String namespace) {
        List<HasMetadata> objects = List.of(admin.namespaces().withName(namespace).get(),
                admin.network().v1().networkPolicies().inNamespace(namespace).withName(GuardRails.NETWORK_POLICY).get(),
                admin.resourceQuotas().inNamespace(namespace).withName(GuardRails.RESOURCE_QUOTA).get(),
                admin.limitRanges().inNamespace(namespace).withName(GuardRails.LIMIT_RANGE).get(),
                admin.rbac().roleBindings().inNamespace(namespace).withName(KubeNamespaceProvisioner.ROLE_BINDING).get());
        return objects.stream().map(o -> o.getKind() + "/" + o.getMetadata().getResourceVersion()).toList();
    }

    private static void assertForbidden(Runnable call) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(KubernetesClientException.class,
                e -> assertThat(e.getCode()).as(e.getMessage()).isEqualTo(403));
    }
}
