package dev.outpost.agent.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class KubeClusterFactsTest {

    @Test
    void thePlatformIsReadFromTheNodesProviderIdsWhenTheyAgree() {
        assertThat(KubeClusterFacts.platform(List.of(node("aws:///eu-west-1a/i-1"), node("aws:///eu-west-1b/i-2"))))
                .isEqualTo("eks");
        assertThat(KubeClusterFacts.platform(List.of(node("gce://project/zone/vm")))).isEqualTo("gke");
        assertThat(KubeClusterFacts.platform(List.of(node("azure:///subscriptions/x")))).isEqualTo("aks");
        assertThat(KubeClusterFacts.platform(List.of(node("kind://docker/kind/kind-control-plane")))).isEqualTo("kind");
    }

    @Test
    void mixedUnknownOrMissingProviderIdsGiveNoPlatform() {
        assertThat(KubeClusterFacts.platform(List.of(node("aws:///a/i-1"), node("gce://p/z/vm")))).isEmpty();
        assertThat(KubeClusterFacts.platform(List.of(node("openstack:///x")))).isEmpty();
        assertThat(KubeClusterFacts.platform(List.of(node(null)))).isEmpty();
        assertThat(KubeClusterFacts.platform(List.of())).isEmpty();
    }

    private static Node node(String providerId) {
        return new NodeBuilder().withNewSpec().withProviderID(providerId).endSpec().build();
    }
}
