package dev.outpost.agent.usage;

/** Reads what one deployment runs in the cluster now. */
public interface UsageReader {

    /** The deployment's labelled pods and claims in its namespaces; throws when the cluster cannot be read. */
    UsageSnapshot read(MeteredDeployment deployment);
}
