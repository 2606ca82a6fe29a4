package dev.outpost.agent.deploy;

import dev.outpost.agent.model.PlanException;
import dev.outpost.agent.namespaces.NamespaceException;
import dev.outpost.agent.namespaces.NamespaceProvisioner;
import dev.outpost.protocol.v1.DeploymentPlan;

/** The "namespace" step of a NAMESPACE_MODE_PER_DEPLOYMENT plan: the deployment's own namespace, with its guard rails. */
final class NamespaceWork implements PlanWork {
    private final NamespaceProvisioner provisioner;
    private final String namespace;
    private final String deploymentId;
    private final DeploymentPlan plan;

    NamespaceWork(NamespaceProvisioner provisioner, String namespace, String deploymentId, DeploymentPlan plan) {
        this.provisioner = provisioner;
        this.namespace = namespace;
        this.deploymentId = deploymentId;
        this.plan = plan;
    }

    @Override
    public String run(PipelineStep.StepNotes notes) {
        try {
            provisioner.ensure(namespace, deploymentId, plan);
        } catch (NamespaceException e) {
            throw new PlanException(e.getMessage());
        }
        return "namespace " + namespace + " ready";
    }
}
