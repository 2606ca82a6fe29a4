package dev.outpost.agent.cluster;

import dev.outpost.protocol.v1.ClusterFacts;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads the facts the hub keeps about a cluster; a fact the agent may not read stays empty. */
public final class KubeClusterFacts {
    private static final Logger LOG = LoggerFactory.getLogger(KubeClusterFacts.class);

    private KubeClusterFacts() {
    }

    public static ClusterFacts probe(KubernetesClient client) {
        ClusterFacts.Builder facts = ClusterFacts.newBuilder();
        try {
            facts.setKubernetesVersion(client.getKubernetesVersion().getGitVersion());
        } catch (RuntimeException e) {
            LOG.warn("Cannot read the Kubernetes version: {}", e.getMessage());
        }
        try {
            facts.setNodeCount(client.nodes().list().getItems().size());
        } catch (RuntimeException e) {
            // Listing nodes needs a cluster-wide permission the agent may rightly lack.
            LOG.info("Cannot count nodes ({}); reporting 0", e.getMessage());
        }
        return facts.build();
    }
}
