package dev.outpost.agent.cluster;

import dev.outpost.protocol.v1.ClusterFacts;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the facts the hub keeps about a cluster. A fact the agent may not read stays unset (unknown,
 * not zero): the least-privilege Role cannot list nodes, which is fine and said once, quietly.
 */
public final class KubeClusterFacts {
    /** The optional ClusterRole that lets the agent read node count and platform. */
    public static final String NODE_READER_FILE = "agent/rbac/cluster-facts-clusterrole.yaml";
    private static final Logger LOG = LoggerFactory.getLogger(KubeClusterFacts.class);
    private static final AtomicBoolean NODES_FORBIDDEN_SAID = new AtomicBoolean();

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
            LOG.warn("Cannot read the Kubernetes version: {}", ClusterPreflight.describe(e));
        }
        try {
            facts.addAllApiVersions(ApiVersionFacts.discover(client));
        } catch (RuntimeException e) {
            LOG.warn("Cannot list the cluster's API versions: {}", ClusterPreflight.describe(e));
        }
        try {
            List<Node> nodes = client.nodes().list().getItems();
            facts.setNodeCount(nodes.size());
            facts.setPlatform(platform(nodes));
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_FORBIDDEN) {
                // Expected with the least-privilege Role: say once what the missing permission would add.
                if (NODES_FORBIDDEN_SAID.compareAndSet(false, true)) {
                    LOG.info("The agent may not list nodes, so the hub shows node count and platform as unknown; "
                            + "to report them, grant the ClusterRole in {} (get/list nodes, nothing else)",
                            NODE_READER_FILE);
                }
            } else {
                LOG.warn("Cannot count nodes: {}", ClusterPreflight.describe(e));
            }
        } catch (RuntimeException e) {
            LOG.warn("Cannot count nodes: {}", ClusterPreflight.describe(e));
        }
        return facts.build();
    }

    /** The platform the nodes' provider ids name ("aws:///eu-west-1a/i-…" → eks), or "" when they do not agree or say. */
    static String platform(List<Node> nodes) {
        String platform = null;
        for (Node node : nodes) {
            String providerId = node.getSpec() == null ? null : node.getSpec().getProviderID();
            String guess = providerId == null ? "" : platformOf(providerId);
            if (platform != null && !platform.equals(guess)) {
                return "";
            }
            platform = guess;
        }
        return platform == null ? "" : platform;
    }

    private static String platformOf(String providerId) {
        String scheme = providerId.contains("://") ? providerId.substring(0, providerId.indexOf("://")) : "";
        return switch (scheme.toLowerCase(Locale.ROOT)) {
            case "aws" -> "eks";
            case "gce" -> "gke";
            case "azure" -> "aks";
            case "kind" -> "kind";
            case "kwok" -> "kwok";
            default -> "";
        };
    }
}
