package dev.outpost.agent.cluster;

import dev.outpost.protocol.v1.ClusterFacts;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads the facts the hub keeps about a cluster; a fact the agent may not read stays empty. */
public final class KubeClusterFacts {
    private static final Logger LOG = LoggerFactory.getLogger(KubeClusterFacts.class);

    private KubeClusterFacts() {
    }

    /**
     * Facts probed at most once per {@code maxAge}, so that a reconnect storm or a slow API server
     * does not hold up every Hello.
     */
    public static Supplier<ClusterFacts> cached(KubernetesClient client, Duration maxAge, Clock clock) {
        return new Supplier<>() {
            private ClusterFacts facts;
            private Instant probedAt;

            @Override
            public synchronized ClusterFacts get() {
                if (facts == null || clock.instant().isAfter(probedAt.plus(maxAge))) {
                    facts = probe(client);
                    probedAt = clock.instant();
                }
                return facts;
            }
        };
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
