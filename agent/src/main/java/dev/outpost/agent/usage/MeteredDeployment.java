package dev.outpost.agent.usage;

import java.util.Set;

/** A deployment the agent has applied, and the namespaces its objects are in (where its pods run). */
public record MeteredDeployment(String deploymentId, Set<String> namespaces) {

    public MeteredDeployment {
        namespaces = Set.copyOf(namespaces);
    }
}
