package dev.outpost.agent.model;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** The labels and annotations by which the agent marks the objects it owns. */
public final class OutpostMetadata {
    /** Which deployment an object belongs to; prune and delete find objects by it. */
    public static final String DEPLOYMENT_LABEL = "outpost.dev/deployment";
    public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY = "outpost";
    /** The deployment generation that last applied the object. */
    public static final String GENERATION_ANNOTATION = "outpost.dev/generation";
    /** {@code ContentHash} of the rendered release that last applied the object. */
    public static final String CONTENT_HASH_ANNOTATION = "outpost.dev/content-hash";

    // A Kubernetes label value; being one also keeps the id safe as a file name (no '/', no "..").
    private static final Pattern LABEL_VALUE = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");

    private OutpostMetadata() {
    }

    /** Throws PlanException unless the id can be used as a label value. */
    public static void checkDeploymentId(String deploymentId) {
        if (deploymentId == null || !LABEL_VALUE.matcher(deploymentId).matches()) {
            throw new PlanException("deployment id '" + deploymentId
                    + "' cannot be used as a Kubernetes label value (1-63 letters, digits, '-', '_', '.')");
        }
    }

    /** The labels every object of the deployment carries, and that select them. */
    public static Map<String, String> labels(String deploymentId) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(DEPLOYMENT_LABEL, deploymentId);
        labels.put(MANAGED_BY_LABEL, MANAGED_BY);
        return labels;
    }

    /** Adds the deployment's labels and annotations to an object, keeping the release's own. */
    static void stamp(HasMetadata object, String deploymentId, long generation, String contentHash) {
        ObjectMeta metadata = object.getMetadata();
        Map<String, String> labels = copy(metadata.getLabels());
        labels.putAll(labels(deploymentId));
        metadata.setLabels(labels);
        Map<String, String> annotations = copy(metadata.getAnnotations());
        annotations.put(GENERATION_ANNOTATION, Long.toString(generation));
        annotations.put(CONTENT_HASH_ANNOTATION, contentHash);
        metadata.setAnnotations(annotations);
    }

    /** Whether a live object still carries this deployment's label (and was not taken over since). */
    public static boolean belongsTo(HasMetadata object, String deploymentId) {
        return deploymentId.equals(owner(object).orElse(null));
    }

    /** The deployment whose label a live object carries; empty when it is not managed by Outpost. */
    public static Optional<String> owner(HasMetadata object) {
        Map<String, String> labels = object.getMetadata().getLabels();
        return Optional.ofNullable(labels == null ? null : labels.get(DEPLOYMENT_LABEL));
    }

    private static Map<String, String> copy(Map<String, String> map) {
        return map == null ? new LinkedHashMap<>() : new LinkedHashMap<>(map);
    }
}
