package dev.outpost.agent.model;

import static dev.outpost.agent.model.ResourceDemandTest.objects;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class QuotaFitTest {
    private static final ResourceDemand TWO_PODS = ResourceDemand.of(objects("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              replicas: 2
              template:
                spec:
                  containers:
                    - name: app
                      resources: {requests: {cpu: 750m}}
            """), Map.of());

    @Test
    void aDemandOverTheHardLimitIsNamedWithBothAmounts() {
        assertThat(QuotaFit.problems(TWO_PODS, "ResourceQuota compute", Map.of("cpu", new Quantity("1")), Optional.empty()))
                .containsExactly("ResourceQuota compute allows requests.cpu 1, the deployment needs 1500m");
    }

    @Test
    void onAFirstApplyWhatTheNamespaceUsesAlreadyIsTakenOff() {
        Map<String, Quantity> hard = Map.of("requests.cpu", new Quantity("2"), "pods", new Quantity("10"));
        Map<String, Quantity> used = Map.of("requests.cpu", new Quantity("1"), "pods", new Quantity("3"));

        assertThat(QuotaFit.problems(TWO_PODS, "ResourceQuota compute", hard, Optional.of(used)))
                .containsExactly("ResourceQuota compute has requests.cpu 1 free of 2, the deployment needs 1500m");
        assertThat(QuotaFit.problems(TWO_PODS, "ResourceQuota compute", hard, Optional.empty())).isEmpty();
    }

    @Test
    void aQuotaOnAResourceTheContainersDoNotSetWouldRefuseTheirPods() {
        assertThat(QuotaFit.problems(TWO_PODS, "the plan's namespace quota", Map.of("requests.memory", new Quantity("1Gi")),
                Optional.empty())).containsExactly("the plan's namespace quota limits requests.memory, but Deployment/web"
                + " container app sets no memory request or limit and the namespace has no default: Kubernetes would refuse the pods");
    }

    @Test
    void resourcesTheAgentDoesNotCountAreNotChecked() {
        assertThat(QuotaFit.problems(TWO_PODS, "q", Map.of("count/deployments.apps", new Quantity("0"),
                "services.loadbalancers", new Quantity("0")), Optional.empty())).isEmpty();
    }

    @Test
    void amountsAreWrittenAsPeopleWriteThem() {
        assertThat(QuotaFit.format("requests.cpu", new BigDecimal("0.25"))).isEqualTo("250m");
        assertThat(QuotaFit.format("limits.cpu", new BigDecimal("3"))).isEqualTo("3");
        assertThat(QuotaFit.format("requests.memory", ResourceDemandTest.mebi(3 * 1024))).isEqualTo("3Gi");
        assertThat(QuotaFit.format("requests.storage", ResourceDemandTest.mebi(1536))).isEqualTo("1536Mi");
        assertThat(QuotaFit.format("pods", new BigDecimal("7"))).isEqualTo("7");
    }
}
