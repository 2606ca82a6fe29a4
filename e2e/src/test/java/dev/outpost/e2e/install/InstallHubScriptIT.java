package dev.outpost.e2e.install;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.e2e.install.InstallerScripts.Run;
import dev.outpost.e2e.support.Cleanup;
import dev.outpost.testcluster.KubeCluster;
import dev.outpost.testcluster.KubeClusterExtension;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * installer-scripts/install-hub.sh against the real API server, with the shipped manifest (there is no
 * helm binary here): a fresh install that rolls out (kwok marks the hub's pod ready; no container
 * runs), a second run that changes nothing, a dry run, and refusals with the reason and exit code.
 */
@ExtendWith(KubeClusterExtension.class)
class InstallHubScriptIT {
    private static final String NAME = "outpost-hub";

    private final KubeCluster cluster;
    private final KubernetesClient admin;
    private final Cleanup cleanup = new Cleanup();

    @TempDir
    Path work;

    InstallHubScriptIT(KubeCluster cluster) {
        this.cluster = cluster;
        this.admin = cluster.adminClient();
    }

    @AfterEach
    void close() throws Exception {
        cleanup.close();
    }

    @Test
    void installsTheHubThenASecondRunChangesNothing() {
        String ns = freshName("hub");
        volumeFor(ns);

        Run first = install("--namespace", ns, "--hostname", "hub.vendor.example", "--timeout", "60s");

        assertThat(first.exit()).as(first.output()).isZero();
        assertThat(first.output()).contains("Preflight passed.")
                .contains("  created    Namespace/" + ns)
                .contains("  created    Deployment/outpost-hub in " + ns)
                .contains("  created    Service/outpost-hub-gateway in " + ns)
                .contains("  created    PersistentVolumeClaim/outpost-hub-data in " + ns)
                .contains("deployment \"outpost-hub\" successfully rolled out")
                .contains("Done: the Outpost hub runs in namespace " + ns)
                .contains("kubectl -n " + ns + " logs deploy/outpost-hub | grep 'Admin API token'");
        Deployment hub = admin.apps().deployments().inNamespace(ns).withName(NAME).get();
        Map<String, String> env = hub.getSpec().getTemplate().getSpec().getContainers().getFirst().getEnv().stream()
                .filter(e -> e.getValue() != null).collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
        // agents dial it through a port-forward, by the given name, or by the Service's names in the cluster
        assertThat(env.get("OUTPOST_GRPC_HOSTNAMES")).startsWith("localhost,127.0.0.1,hub.vendor.example,")
                .contains("outpost-hub-gateway." + ns + ".svc");
        assertThat(hub.getSpec().getReplicas()).isEqualTo(1);
        Map<String, String> versions = versions(ns);

        Run second = install("--namespace", ns, "--hostname", "hub.vendor.example", "--timeout", "60s");

        assertThat(second.exit()).as(second.output()).isZero();
        assertThat(second.output()).contains("  unchanged  Deployment/outpost-hub in " + ns)
                .doesNotContain("  created ").doesNotContain("  configured ");
        assertThat(versions(ns)).isEqualTo(versions);
    }

    @Test
    void aDryRunShowsThePlanAndChangesNothing() {
        String ns = freshName("dry");

        Run dry = install("--namespace", ns, "--dry-run");

        assertThat(dry.exit()).as(dry.output()).isZero();
        assertThat(dry.output()).contains("  would create          Namespace/" + ns)
                .contains("  would create          Deployment/outpost-hub in " + ns)
                .contains("Dry run: nothing was changed.");
        assertThat(admin.namespaces().withName(ns).get()).isNull();
    }

    @Test
    void withoutPermissionsThePreflightNamesEachOneAndChangesNothing() {
        String own = cluster.newNamespace("nobody");
        admin.serviceAccounts().inNamespace(own).resource(new ServiceAccountBuilder()
                .withNewMetadata().withName("nobody").endMetadata().build()).create();
        Path kubeconfig = cluster.writeServiceAccountKubeconfig(own, "nobody", work.resolve("nobody.kubeconfig"));
        String ns = freshName("hub");

        Run run = InstallerScripts.run(kubeconfig, "install-hub.sh", List.of("--namespace", ns), work, cleanup, "");

        assertThat(run.exit()).as(run.output()).isEqualTo(3);
        assertThat(run.output()).contains("  FAILED  you may not get, create, patch deployments.apps in namespace " + ns)
                .contains("  FAILED  you may not get, create, patch persistentvolumeclaims in namespace " + ns)
                .contains("-> fix: run the installer as someone who may (a cluster admin)")
                .contains("Preflight failed:").contains("Nothing was changed.");
        assertThat(admin.namespaces().withName(ns).get()).isNull();
    }

    @Test
    void aDataClaimThatNeverBindsTimesOutNamingTheClaim() {
        String ns = freshName("unbound");

        Run run = install("--namespace", ns, "--timeout", "3s");

        assertThat(run.exit()).as(run.output()).isEqualTo(5);
        assertThat(run.output()).contains("no default StorageClass: the hub's data claim (outpost-hub-data, ReadWriteOnce)")
                .contains("the data claim outpost-hub-data is Pending")
                .contains("rerun with --storage-class NAME");
    }

    @Test
    void wrongOptionsAreUsageErrors() {
        Run run = install("--namespace", "Not_A_Namespace");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.output()).contains("--namespace 'Not_A_Namespace' is not a namespace name");
    }

    private Run install(String... args) {
        return InstallerScripts.run(cluster.kubeconfig(), "install-hub.sh", List.of(args), work, cleanup, "");
    }

    private static String freshName(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A PersistentVolume the hub's data claim in {@code namespace} binds to (no provisioner here). */
    private void volumeFor(String namespace) {
        admin.persistentVolumes().resource(new PersistentVolumeBuilder()
                .withNewMetadata().withName("pv-" + namespace).endMetadata()
                .withNewSpec()
                .withCapacity(Map.of("storage", new Quantity("5Gi")))
                .withAccessModes("ReadWriteOnce")
                .withStorageClassName("")
                .withNewClaimRef().withNamespace(namespace).withName(NAME + "-data").endClaimRef()
                .withNewHostPath().withPath("/tmp/" + namespace).endHostPath()
                .endSpec().build()).create();
    }

    private Map<String, String> versions(String ns) {
        List<HasMetadata> objects = new ArrayList<>();
        objects.add(admin.namespaces().withName(ns).get());
        objects.add(admin.apps().deployments().inNamespace(ns).withName(NAME).get());
        objects.add(admin.services().inNamespace(ns).withName(NAME).get());
        objects.add(admin.services().inNamespace(ns).withName(NAME + "-gateway").get());
        objects.add(admin.persistentVolumeClaims().inNamespace(ns).withName(NAME + "-data").get());
        objects.add(admin.serviceAccounts().inNamespace(ns).withName(NAME).get());
        Map<String, String> versions = new LinkedHashMap<>();
        for (HasMetadata object : objects) {
            assertThat(object).isNotNull();
            versions.put(object.getKind() + "/" + object.getMetadata().getName(), object.getMetadata().getResourceVersion());
        }
        return versions;
    }
}
