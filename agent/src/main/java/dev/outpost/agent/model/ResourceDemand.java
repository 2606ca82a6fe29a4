package dev.outpost.agent.model;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimSpec;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a set of objects asks of the namespace's quota once it runs, in ResourceQuota's own resource
 * names ({@code pods}, {@code requests.cpu}, {@code limits.memory}, {@code requests.storage},
 * {@code persistentvolumeclaims}), and the volume claims it makes (for the storage-class check).
 *
 * <p>Pure. A workload counts {@code spec.replicas} pods (default 1; a Job its {@code parallelism}); a
 * pod counts the larger of its containers' sum and its largest init container, as the scheduler does.
 * A container without a request takes its limit (what Kubernetes defaults it to), else the namespace's
 * default container limit. DaemonSets are left out: their pod count depends on the nodes.
 */
public record ResourceDemand(Map<String, BigDecimal> totals, Map<String, List<String>> unset,
                             List<StorageClaim> claims) {
    /** The compute resources a container may request or limit, as a quota names them. */
    public static final List<String> COMPUTE = List.of("requests.cpu", "requests.memory", "limits.cpu", "limits.memory");
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    /**
     * @param totals quota resource name → amount (cpu in cores, memory and storage in bytes)
     * @param unset compute resource → the containers that set neither it nor a default, e.g.
     *              "StatefulSet/redis container redis": a quota on it refuses their pods
     */
    public ResourceDemand {
        totals = Map.copyOf(totals);
        unset = Map.copyOf(unset);
        claims = List.copyOf(claims);
    }

    /** One PersistentVolumeClaim the objects make; {@code storageClass} null asks for the cluster's default. */
    public record StorageClaim(String owner, String claim, String storageClass) {
    }

    /**
     * The demand of {@code objects}.
     *
     * @param containerDefaults default container limits that apply in the namespace (LimitRange
     *                          {@code default}), e.g. "memory" → 512Mi
     */
    public static ResourceDemand of(List<GenericKubernetesResource> objects, Map<String, Quantity> containerDefaults) {
        Tally tally = new Tally(containerDefaults);
        for (GenericKubernetesResource object : objects) {
            String owner = object.getKind() + "/" + object.getMetadata().getName();
            switch (object.getKind()) {
                case "Deployment", "ReplicaSet" -> tally.pods(owner, replicas(object, "replicas"), podSpec(object, "spec", "template", "spec"));
                case "StatefulSet" -> {
                    int replicas = replicas(object, "replicas");
                    tally.pods(owner, replicas, podSpec(object, "spec", "template", "spec"));
                    StatefulSet set = SERIALIZATION.convertValue(object, StatefulSet.class);
                    for (PersistentVolumeClaim template : set.getSpec().getVolumeClaimTemplates()) {
                        tally.claim(owner, template, replicas);
                    }
                }
                case "Job" -> tally.pods(owner, replicas(object, "parallelism"), podSpec(object, "spec", "template", "spec"));
                case "Pod" -> tally.pods(owner, 1, podSpec(object, "spec"));
                case "PersistentVolumeClaim" -> tally.claim(owner, SERIALIZATION.convertValue(object, PersistentVolumeClaim.class), 1);
                default -> { }
            }
        }
        return new ResourceDemand(tally.totals, tally.unset, tally.claims);
    }

    private static int replicas(GenericKubernetesResource object, String field) {
        Object value = object.get("spec", field);
        return value instanceof Number number ? Math.max(number.intValue(), 0) : 1;
    }

    private static PodSpec podSpec(GenericKubernetesResource object, String... path) {
        Object spec = object.get((Object[]) path);
        return spec == null ? new PodSpec() : SERIALIZATION.convertValue(spec, PodSpec.class);
    }

    /** Sums as objects are read. */
    private static final class Tally {
        private final Map<String, Quantity> defaults;
        private final Map<String, BigDecimal> totals = new TreeMap<>();
        private final Map<String, List<String>> unset = new LinkedHashMap<>();
        private final List<StorageClaim> claims = new ArrayList<>();

        Tally(Map<String, Quantity> defaults) {
            this.defaults = defaults;
        }

        void pods(String owner, int count, PodSpec spec) {
            add("pods", BigDecimal.valueOf(count));
            for (String resource : COMPUTE) {
                BigDecimal sum = BigDecimal.ZERO;
                for (Container container : spec.getContainers()) {
                    sum = sum.add(amount(owner, container, resource));
                }
                BigDecimal largestInit = BigDecimal.ZERO;
                for (Container container : spec.getInitContainers()) {
                    largestInit = largestInit.max(amount(owner, container, resource));
                }
                add(resource, sum.max(largestInit).multiply(BigDecimal.valueOf(count)));
            }
        }

        /** requests.x: the request, else the limit, else the default; limits.x: the limit, else the default. */
        private BigDecimal amount(String owner, Container container, String resource) {
            boolean request = resource.startsWith("requests.");
            String name = resource.substring(resource.indexOf('.') + 1);
            ResourceRequirements resources = container.getResources() == null ? new ResourceRequirements() : container.getResources();
            Quantity value = request ? orEmpty(resources.getRequests()).get(name) : null;
            if (value == null) {
                value = orEmpty(resources.getLimits()).get(name);
            }
            if (value == null) {
                value = defaults.get(name);
            }
            if (value == null) {
                unset.computeIfAbsent(resource, key -> new ArrayList<>()).add(owner + " container " + container.getName());
                return BigDecimal.ZERO;
            }
            return value.getNumericalAmount();
        }

        void claim(String owner, PersistentVolumeClaim claim, int count) {
            PersistentVolumeClaimSpec spec = claim.getSpec() == null ? new PersistentVolumeClaimSpec() : claim.getSpec();
            add("persistentvolumeclaims", BigDecimal.valueOf(count));
            Quantity storage = spec.getResources() == null ? null : orEmpty(spec.getResources().getRequests()).get("storage");
            if (storage != null) {
                add("requests.storage", storage.getNumericalAmount().multiply(BigDecimal.valueOf(count)));
            }
            String name = claim.getMetadata() == null ? "" : claim.getMetadata().getName();
            claims.add(new StorageClaim(owner, name, spec.getStorageClassName()));
        }

        private static Map<String, Quantity> orEmpty(Map<String, Quantity> quantities) {
            return quantities == null ? Map.of() : quantities;
        }

        private void add(String resource, BigDecimal amount) {
            totals.merge(resource, amount, BigDecimal::add);
        }
    }
}
