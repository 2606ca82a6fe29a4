package dev.outpost.agent.namespaces;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which namespace is whose, and which claims outlive a removal: decided from labels alone. */
class NamespaceOwnershipTest {

    @Test
    void aNamespaceIsThisDeploymentsOnlyWithBothLabels() {
        Map<String, String> ours = NamespaceOwnership.labels("d-1");
        assertThat(ours).containsEntry("outpost.dev/managed-by", "outpost-agent").containsEntry("outpost.dev/deployment-id", "d-1");

        assertThat(NamespaceOwnership.owner(ours, "d-1")).isEqualTo(NamespaceOwnership.Owner.THIS_DEPLOYMENT);
        assertThat(NamespaceOwnership.owner(ours, "d-2")).isEqualTo(NamespaceOwnership.Owner.OTHER_DEPLOYMENT);
        assertThat(NamespaceOwnership.owner(null, "d-1")).isEqualTo(NamespaceOwnership.Owner.NOT_OUTPOST);
        // The deployment label alone, as anyone could set it, does not make a namespace the agent's.
        assertThat(NamespaceOwnership.owner(Map.of("outpost.dev/deployment-id", "d-1"), "d-1"))
                .isEqualTo(NamespaceOwnership.Owner.NOT_OUTPOST);
        assertThat(NamespaceOwnership.owner(Map.of("outpost.dev/managed-by", "helm", "outpost.dev/deployment-id", "d-1"),
                "d-1")).isEqualTo(NamespaceOwnership.Owner.NOT_OUTPOST);
    }

    @Test
    void refusalsSayWhoseTheNamespaceIsAndWhatToDo() {
        assertThat(NamespaceOwnership.refusal("acme", NamespaceOwnership.labels("d-2"), "d-1"))
                .contains("namespace acme belongs to another deployment (outpost.dev/deployment-id=d-2)")
                .contains("Choose another namespace name");
        assertThat(NamespaceOwnership.refusal("kube-system", Map.of(), "d-1"))
                .contains("namespace kube-system exists and was not created by the agent")
                .contains("outpost.dev/managed-by=outpost-agent")
                .contains("namespace mode 'existing'");
    }

    @Test
    void namesThatCannotBeNamespacesOrLabelsAreRefused() {
        assertThatThrownBy(() -> NamespaceOwnership.check("Acme_Apps", "d-1")).isInstanceOf(NamespaceException.class)
                .hasMessageContaining("'Acme_Apps' is not a valid namespace name");
        assertThatThrownBy(() -> NamespaceOwnership.check("a".repeat(64), "d-1")).isInstanceOf(NamespaceException.class);
        assertThatThrownBy(() -> NamespaceOwnership.check("acme", "d/../1")).isInstanceOf(NamespaceException.class)
                .hasMessageContaining("deployment id 'd/../1' cannot be used as a Kubernetes label value");
    }

    @Test
    void aClaimIsRetainedByTheLabelOrTheAnnotationTrue() {
        assertThat(NamespaceOwnership.retained(claim(Map.of("outpost.dev/retain", "true"), Map.of()))).isTrue();
        assertThat(NamespaceOwnership.retained(claim(Map.of(), Map.of("outpost.dev/retain", "true")))).isTrue();
        assertThat(NamespaceOwnership.retained(claim(Map.of("outpost.dev/retain", "false"), Map.of()))).isFalse();
        assertThat(NamespaceOwnership.retained(claim(Map.of("outpost.dev/retain", "yes"), Map.of()))).isFalse();
        assertThat(NamespaceOwnership.retained(claim(null, null))).isFalse();
    }

    private static io.fabric8.kubernetes.api.model.PersistentVolumeClaim claim(Map<String, String> labels,
            Map<String, String> annotations) {
        return new PersistentVolumeClaimBuilder().withNewMetadata().withName("data").withLabels(labels)
                .withAnnotations(annotations).endMetadata().build();
    }
}
