package dev.outpost.agent.namespaces;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.protocol.v1.DeploymentPlan;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The guard rails built from a plan: what they allow, and the plans they refuse. */
class GuardRailsTest {

    @Test
    void theNetworkPolicyDeniesIngressToEveryPodExceptFromTheSameNamespace() {
        NetworkPolicy policy = GuardRails.networkPolicy("acme", "d-1");

        assertThat(policy.getMetadata().getNamespace()).isEqualTo("acme");
        assertThat(policy.getMetadata().getLabels()).containsEntry("outpost.dev/deployment-id", "d-1");
        assertThat(policy.getSpec().getPodSelector().getMatchLabels()).isNullOrEmpty();
        assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress");
        assertThat(policy.getSpec().getIngress()).singleElement().satisfies(rule -> assertThat(rule.getFrom())
                .singleElement().satisfies(peer -> {
                    assertThat(peer.getPodSelector()).isNotNull();
                    assertThat(peer.getNamespaceSelector()).isNull(); // so: this namespace only
                    assertThat(peer.getIpBlock()).isNull();
                }));
    }

    @Test
    void quotaAndLimitsComeFromThePlanAndAreAbsentWhenItHasNone() throws Exception {
        DeploymentPlan plan = DeploymentPlan.newBuilder()
                .putNamespaceQuota("requests.cpu", "2").putNamespaceQuota("limits.memory", "4Gi")
                .putNamespaceQuota("count/deployments.apps", "10")
                .putContainerDefaultLimits("memory", "512Mi").putContainerDefaultLimits("cpu", "500m")
                .build();

        ResourceQuota quota = GuardRails.resourceQuota("acme", "d-1", plan).orElseThrow();
        assertThat(quota.getSpec().getHard()).containsOnly(Map.entry("requests.cpu", new Quantity("2")),
                Map.entry("limits.memory", new Quantity("4Gi")), Map.entry("count/deployments.apps", new Quantity("10")));
        LimitRange limits = GuardRails.limitRange("acme", "d-1", plan).orElseThrow();
        assertThat(limits.getSpec().getLimits()).singleElement().satisfies(item -> {
            assertThat(item.getType()).isEqualTo("Container");
            assertThat(item.getDefault()).containsOnly(Map.entry("memory", new Quantity("512Mi")),
                    Map.entry("cpu", new Quantity("500m")));
        });

        assertThat(GuardRails.resourceQuota("acme", "d-1", DeploymentPlan.getDefaultInstance())).isEmpty();
        assertThat(GuardRails.limitRange("acme", "d-1", DeploymentPlan.getDefaultInstance())).isEmpty();
    }

    @Test
    void badEntriesAreNamedWithTheField() {
        assertThatThrownBy(() -> GuardRails.resourceQuota("acme", "d-1",
                DeploymentPlan.newBuilder().putNamespaceQuota("requests.cpu", "two").build()))
                .isInstanceOf(NamespaceException.class)
                .hasMessage("plan.namespace_quota[requests.cpu]: 'two' is not a Kubernetes quantity (e.g. 2, 500m, 512Mi, 1Gi)");
        assertThatThrownBy(() -> GuardRails.limitRange("acme", "d-1",
                DeploymentPlan.newBuilder().putContainerDefaultLimits("memory", "-1Gi").build()))
                .isInstanceOf(NamespaceException.class).hasMessageContaining("plan.container_default_limits[memory]");
        assertThatThrownBy(() -> GuardRails.resourceQuota("acme", "d-1",
                DeploymentPlan.newBuilder().putNamespaceQuota("requests cpu; rm", "1").build()))
                .isInstanceOf(NamespaceException.class).hasMessageContaining("is not a resource name");
        Map<String, String> many = new HashMap<>();
        for (int i = 0; i <= GuardRails.MAX_ENTRIES; i++) {
            many.put("count/thing" + i, "1");
        }
        assertThatThrownBy(() -> GuardRails.resourceQuota("acme", "d-1",
                DeploymentPlan.newBuilder().putAllNamespaceQuota(many).build()))
                .isInstanceOf(NamespaceException.class).hasMessageContaining("has 33 entries; at most 32");
    }
}
