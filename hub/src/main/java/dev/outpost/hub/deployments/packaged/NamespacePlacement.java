package dev.outpost.hub.deployments.packaged;

import dev.outpost.hub.api.ApiException;

/** Where a new deployment's objects go, and who owns that namespace. */
public final class NamespacePlacement {
    /** The namespace of an existing-mode deployment that names none. */
    public static final String DEFAULT_NAMESPACE = "default";

    private NamespacePlacement() {
    }

    /** The outcome: a namespace, its mode, and whether the namespace was defaulted. */
    public record Placed(String namespace, NamespaceMode mode, boolean defaulted) {
    }

    /**
     * A package deployment: its own namespace ({@code op-<name>}) unless the caller asks for
     * {@code existing}. 422 when the mode is unknown, when a namespace is named for a per-deployment
     * one, or when the agent said it may not create namespaces.
     */
    public static Placed forPackage(String deploymentName, String namespace, String modeName, AgentFacts agent) {
        NamespaceMode mode = modeName == null ? NamespaceMode.PER_DEPLOYMENT : parse(modeName);
        if (mode == NamespaceMode.EXISTING) {
            return namespace == null ? new Placed(DEFAULT_NAMESPACE, mode, true) : new Placed(namespace, mode, false);
        }
        if (namespace != null) {
            throw ApiException.unprocessable("namespace", "is chosen by the hub for a per-deployment namespace ("
                    + DeploymentNamespaces.of(deploymentName) + "); leave it out, or set namespaceMode to existing");
        }
        // A revision 1 agent fails the operation for its revision, the clearer reason: not refused here.
        if (agent.refusesNamespaces() && !agent.speaksNoPlans()) {
            throw ApiException.unprocessable("namespaceMode", "the environment's agent may not create namespaces "
                    + "(its Hello says creates_namespaces = false): use namespaceMode existing with one of its "
                    + "namespaces, or give the agent namespace creation");
        }
        return new Placed(DeploymentNamespaces.of(deploymentName), mode, false);
    }

    /** A manifests release: always an existing namespace; 422 for per-deployment. */
    public static Placed forManifests(String namespace, String modeName) {
        if (modeName != null && parse(modeName) != NamespaceMode.EXISTING) {
            throw ApiException.unprocessable("namespaceMode", "manifests releases deploy to an existing namespace "
                    + "only; per-deployment namespaces are for package releases");
        }
        return namespace == null ? new Placed(DEFAULT_NAMESPACE, NamespaceMode.EXISTING, true)
                : new Placed(namespace, NamespaceMode.EXISTING, false);
    }

    private static NamespaceMode parse(String modeName) {
        return NamespaceMode.parse(modeName).orElseThrow(() -> ApiException.unprocessable("namespaceMode",
                "must be per-deployment or existing (got '" + modeName + "')"));
    }
}
