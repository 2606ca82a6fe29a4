package dev.outpost.agent.metrics;

import dev.outpost.agent.usage.MeteredDeployment;

/** Reads the Kubernetes state of one deployment now. */
public interface DeploymentStateReader {

    /** Its labelled workloads and pods in its namespaces; throws when the cluster cannot be read. */
    DeploymentState read(MeteredDeployment deployment);
}
