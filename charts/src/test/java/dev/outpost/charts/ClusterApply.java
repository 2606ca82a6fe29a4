package dev.outpost.charts;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.yaml.snakeyaml.Yaml;

/** Puts a chart's rendered objects into a real API server the way {@code helm install} would, with server-side apply. */
final class ClusterApply {
    static final String FIELD_MANAGER = "outpost-charts-it";
    static final Duration WAIT = Duration.ofSeconds(60);

    private ClusterApply() {
    }

    /** Applies every object, in Helm's install order (ServiceAccounts and RBAC before the Deployment), and returns what the server stored. */
    static List<HasMetadata> applyAll(KubernetesClient client, Rendered objects) {
        List<HasMetadata> stored = new ArrayList<>();
        for (Map<String, Object> object : installOrder(objects)) {
            stored.add(client.resource(new Yaml().dump(object)).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply());
        }
        return stored;
    }

    /**
     * A PersistentVolume for a claim the chart made (the test cluster has no provisioner), so the
     * pod can be scheduled; the claim binds to it by size, access mode and the empty class.
     */
    static void volumeFor(KubernetesClient client, String namespace, String claim, String size) {
        client.persistentVolumes().resource(new PersistentVolumeBuilder()
                .withNewMetadata().withName("pv-" + namespace + "-" + claim).endMetadata()
                .withNewSpec()
                .withCapacity(Map.of("storage", new Quantity(size)))
                .withAccessModes("ReadWriteOnce")
                .withStorageClassName("")
                .withNewClaimRef().withNamespace(namespace).withName(claim).endClaimRef()
                .withNewHostPath().withPath("/tmp/" + namespace + "-" + claim).endHostPath()
                .endSpec().build()).create();
    }

    /** Waits until the Deployment's pods are scheduled and available (kwok's nodes run them at once). */
    static void awaitAvailable(KubernetesClient client, String namespace, String name) {
        await().atMost(WAIT).until(() -> {
            Deployment deployment = client.apps().deployments().inNamespace(namespace).withName(name).get();
            Integer available = deployment == null || deployment.getStatus() == null ? null : deployment.getStatus().getAvailableReplicas();
            return available != null && Objects.equals(available, deployment.getSpec().getReplicas());
        });
    }

    private static final List<String> ORDER = List.of("CustomResourceDefinition", "Namespace", "NetworkPolicy",
            "ServiceAccount", "Secret", "ConfigMap", "PersistentVolumeClaim", "ClusterRole", "ClusterRoleBinding", "Role",
            "RoleBinding", "Service", "Deployment", "PodDisruptionBudget", "Ingress", "ValidatingAdmissionPolicy",
            "ValidatingAdmissionPolicyBinding");

    private static List<Map<String, Object>> installOrder(Rendered objects) {
        return objects.objects().stream().sorted((a, b) -> Integer.compare(rank(a), rank(b))).toList();
    }

    private static int rank(Map<String, Object> object) {
        int index = ORDER.indexOf((String) object.get("kind"));
        return index < 0 ? ORDER.size() : index;
    }
}
