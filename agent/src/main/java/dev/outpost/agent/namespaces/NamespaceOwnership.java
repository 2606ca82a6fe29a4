package dev.outpost.agent.namespaces;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The labels by which the agent marks a namespace it created for one deployment, and the rules that
 * follow from them: which namespace is whose, and which PersistentVolumeClaims outlive a removal.
 */
public final class NamespaceOwnership {
    /** Set on every namespace the agent creates; the agent never removes a namespace without it. */
    public static final String MANAGED_BY_LABEL = "outpost.dev/managed-by";
    public static final String MANAGED_BY = "outpost-agent";
    /** The deployment the namespace was created for. */
    public static final String DEPLOYMENT_ID_LABEL = "outpost.dev/deployment-id";
    /**
     * A PersistentVolumeClaim labelled (or annotated) {@code outpost.dev/retain: "true"} is kept when its
     * deployment's namespace is removed. Charts set it in a StatefulSet's volumeClaimTemplates metadata,
     * which the StatefulSet controller copies onto every claim it creates.
     */
    public static final String RETAIN_MARKER = "outpost.dev/retain";

    private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern LABEL_VALUE = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");

    /** Whose a namespace is, as far as its labels say. */
    public enum Owner {
        /** Created by the agent for this deployment. */
        THIS_DEPLOYMENT,
        /** Created by the agent for another deployment. */
        OTHER_DEPLOYMENT,
        /** Not created by the agent (an operator's, the system's, another tool's). */
        NOT_OUTPOST
    }

    private NamespaceOwnership() {
    }

    /** Throws unless both can be used: the namespace as a name, the deployment id as a label value. */
    public static void check(String namespace, String deploymentId) throws NamespaceException {
        if (namespace == null || !NAMESPACE.matcher(namespace).matches()) {
            throw new NamespaceException("'" + namespace + "' is not a valid namespace name (1-63 lower-case letters, "
                    + "digits and '-', starting and ending with a letter or digit)");
        }
        if (deploymentId == null || !LABEL_VALUE.matcher(deploymentId).matches()) {
            throw new NamespaceException("deployment id '" + deploymentId + "' cannot be used as a Kubernetes label value "
                    + "(1-63 letters, digits, '-', '_', '.')");
        }
    }

    /** The labels of a namespace created for {@code deploymentId}. */
    public static Map<String, String> labels(String deploymentId) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(MANAGED_BY_LABEL, MANAGED_BY);
        labels.put(DEPLOYMENT_ID_LABEL, deploymentId);
        return labels;
    }

    /** Whose the namespace with {@code labels} is, seen from {@code deploymentId}. */
    public static Owner owner(Map<String, String> labels, String deploymentId) {
        if (labels == null || !MANAGED_BY.equals(labels.get(MANAGED_BY_LABEL))) {
            return Owner.NOT_OUTPOST;
        }
        return deploymentId.equals(labels.get(DEPLOYMENT_ID_LABEL)) ? Owner.THIS_DEPLOYMENT : Owner.OTHER_DEPLOYMENT;
    }

    /** Why the agent will not use a namespace that is not this deployment's, in words for the operator. */
    public static String refusal(String namespace, Map<String, String> labels, String deploymentId) {
        return switch (owner(labels, deploymentId)) {
            case THIS_DEPLOYMENT -> throw new IllegalArgumentException("namespace " + namespace + " is this deployment's");
            case OTHER_DEPLOYMENT -> "namespace " + namespace + " belongs to another deployment ("
                    + DEPLOYMENT_ID_LABEL + "=" + labels.get(DEPLOYMENT_ID_LABEL) + "); the agent will not share it with "
                    + "deployment " + deploymentId + ". Choose another namespace name for this deployment";
            case NOT_OUTPOST -> "namespace " + namespace + " exists and was not created by the agent (it lacks the label "
                    + MANAGED_BY_LABEL + "=" + MANAGED_BY + "); the agent will not take it over. Choose another namespace "
                    + "name, or deploy into it with namespace mode 'existing' (--namespaces)";
        };
    }

    /** Whether a PersistentVolumeClaim is to be kept when its namespace is removed. */
    public static boolean retained(HasMetadata claim) {
        Map<String, String> labels = claim.getMetadata().getLabels();
        Map<String, String> annotations = claim.getMetadata().getAnnotations();
        return "true".equals(labels == null ? null : labels.get(RETAIN_MARKER))
                || "true".equals(annotations == null ? null : annotations.get(RETAIN_MARKER));
    }
}
