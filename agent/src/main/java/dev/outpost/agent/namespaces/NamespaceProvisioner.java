package dev.outpost.agent.namespaces;

import dev.outpost.protocol.v1.DeploymentPlan;
import java.time.Duration;

/**
 * Creates and removes the namespaces the agent owns, one per deployment
 * ({@code NAMESPACE_MODE_PER_DEPLOYMENT}), with their guard rails.
 */
public interface NamespaceProvisioner {

    /**
     * Makes {@code namespace} exist, labelled as Outpost's for {@code deploymentId}, with a default-deny
     * ingress NetworkPolicy (same-namespace traffic allowed) and the ResourceQuota and LimitRange the plan
     * asks for (none when the plan leaves them empty). Idempotent: a second call with the same plan
     * changes nothing.
     *
     * @throws NamespaceException when the namespace exists but is not this deployment's, or the cluster refuses
     */
    void ensure(String namespace, String deploymentId, DeploymentPlan plan) throws NamespaceException;

    /**
     * Deletes {@code namespace} when the agent created it for {@code deploymentId}, and waits for it to go.
     * PersistentVolumeClaims marked to be retained are kept: the namespace then stays, holding only them.
     *
     * @return what was removed and what was kept, for the operation's result
     * @throws NamespaceException when the cluster refuses or the namespace is still there after {@code timeout}
     */
    NamespaceRemoval remove(String namespace, String deploymentId, Duration timeout) throws NamespaceException;
}
