package dev.outpost.hub.deployments.packaged;

import dev.outpost.protocol.ProtocolRevision;
import dev.outpost.protocol.v1.ClusterFacts;
import java.util.List;

/**
 * What an environment's agent told in its last Hello that planning a package needs.
 *
 * @param protocolRevision   the revision negotiated with it; null if it connected before the hub recorded it
 * @param createsNamespaces  whether it may create per-deployment namespaces; null when not told
 * @param kubernetesVersion  the API server's version, e.g. "v1.36.3"; null when not told
 * @param apiVersions        the group/versions its API server serves, sorted; empty when not told
 */
public record AgentFacts(Integer protocolRevision, Boolean createsNamespaces, String kubernetesVersion,
                         List<String> apiVersions) {

    /** Why a package release cannot go to an agent of {@code revision}, in words an operator can act on. */
    public static String revisionTooOld(int revision) {
        return "the agent speaks outpost.v1 revision " + revision + "; package releases need revision "
                + ProtocolRevision.PLANS + " — upgrade the agent";
    }

    /** True when the agent is known to speak a revision without plans. */
    public boolean speaksNoPlans() {
        return protocolRevision != null && protocolRevision < ProtocolRevision.PLANS;
    }

    /** True when the agent said it may not create namespaces (an agent that has not told may). */
    public boolean refusesNamespaces() {
        return Boolean.FALSE.equals(createsNamespaces);
    }

    /** The facts as the planner's {@code .Capabilities} take them. */
    public ClusterFacts toClusterFacts() {
        ClusterFacts.Builder facts = ClusterFacts.newBuilder().addAllApiVersions(apiVersions);
        if (kubernetesVersion != null) {
            facts.setKubernetesVersion(kubernetesVersion);
        }
        return facts.build();
    }

    /** No agent, or one that has told nothing yet. */
    public static AgentFacts unknown() {
        return new AgentFacts(null, null, null, List.of());
    }
}
