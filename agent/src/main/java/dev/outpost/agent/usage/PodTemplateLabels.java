package dev.outpost.agent.usage;

import dev.outpost.agent.model.OutpostMetadata;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Stamps the pod templates of workloads with the deployment label, so their pods can be metered. */
public final class PodTemplateLabels {
    private static final Set<String> TEMPLATED = Set.of("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job");

    private PodTemplateLabels() {
    }

    /**
     * Adds {@code outpost.dev/deployment=<id>} to the pod template's labels of a workload, keeping the
     * release's own labels; other kinds are left alone. Selectors are not touched (they are immutable),
     * and an extra template label never stops a selector from matching.
     */
    public static void stamp(GenericKubernetesResource object, String deploymentId) {
        List<String> path;
        if (TEMPLATED.contains(object.getKind())) {
            path = List.of("spec", "template", "metadata", "labels");
        } else if ("CronJob".equals(object.getKind())) {
            path = List.of("spec", "jobTemplate", "spec", "template", "metadata", "labels");
        } else {
            return;
        }
        Map<String, Object> spec = child(object.getAdditionalProperties(), path.getFirst());
        if (spec == null) {
            return; // a workload without a spec is refused by the API server; nothing to stamp
        }
        Map<String, Object> current = spec;
        for (String step : path.subList(1, path.size())) {
            current = childOrNew(current, step);
        }
        current.put(OutpostMetadata.DEPLOYMENT_LABEL, deploymentId);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> child(Map<String, Object> parent, String name) {
        Object value = parent.get(name);
        if (value instanceof Map<?, ?> map) {
            // copied into a mutable map: parsed YAML may hand out unmodifiable ones
            Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) map);
            parent.put(name, copy);
            return copy;
        }
        return null;
    }

    private static Map<String, Object> childOrNew(Map<String, Object> parent, String name) {
        Map<String, Object> existing = child(parent, name);
        if (existing != null) {
            return existing;
        }
        Map<String, Object> created = new LinkedHashMap<>();
        parent.put(name, created);
        return created;
    }
}
