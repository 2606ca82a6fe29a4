package dev.outpost.hub.deployments.packaged;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.hub.api.ApiException;
import java.util.List;
import org.junit.jupiter.api.Test;

class NamespacePlacementTest {
    private static final AgentFacts CREATES = new AgentFacts(2, true, null, List.of());
    private static final AgentFacts MAY_NOT = new AgentFacts(2, false, null, List.of());
    private static final AgentFacts REVISION_1 = new AgentFacts(1, null, null, List.of());

    @Test
    void aPackageGetsItsOwnNamespaceByDefault() {
        NamespacePlacement.Placed placed = NamespacePlacement.forPackage("cache", null, null, CREATES);

        assertThat(placed.namespace()).isEqualTo("op-cache");
        assertThat(placed.mode()).isEqualTo(NamespaceMode.PER_DEPLOYMENT);
        assertThat(NamespacePlacement.forPackage("cache", null, null, AgentFacts.unknown()).namespace())
                .as("an agent that has not told is not refused here").isEqualTo("op-cache");
    }

    @Test
    void existingModeTakesTheNamespaceGivenOrTheDefault() {
        assertThat(NamespacePlacement.forPackage("cache", "apps", "existing", MAY_NOT))
                .isEqualTo(new NamespacePlacement.Placed("apps", NamespaceMode.EXISTING, false));
        assertThat(NamespacePlacement.forPackage("cache", null, "existing", MAY_NOT))
                .isEqualTo(new NamespacePlacement.Placed("default", NamespaceMode.EXISTING, true));
    }

    @Test
    void perDeploymentIsRefusedWhenTheAgentMayNotCreateNamespacesOrANamespaceIsNamed() {
        assertThatThrownBy(() -> NamespacePlacement.forPackage("cache", null, "per-deployment", MAY_NOT))
                .hasMessageContaining("creates_namespaces = false")
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status().getCode()).isEqualTo(422);
                    assertThat(e.errors().getFirst().field()).isEqualTo("/namespaceMode");
                });
        assertThatThrownBy(() -> NamespacePlacement.forPackage("cache", "apps", null, CREATES))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.errors().getFirst().field())
                        .isEqualTo("/namespace"));
        assertThatThrownBy(() -> NamespacePlacement.forPackage("cache", null, "shared", CREATES))
                .isInstanceOf(ApiException.class).hasMessageContaining("per-deployment or existing");
        // a revision 1 agent fails its operation for its revision instead, the reason to act on
        assertThat(NamespacePlacement.forPackage("cache", null, null, REVISION_1).mode()).isEqualTo(NamespaceMode.PER_DEPLOYMENT);
    }

    @Test
    void manifestsReleasesOnlyDeployToExistingNamespaces() {
        assertThat(NamespacePlacement.forManifests(null, null).namespace()).isEqualTo("default");
        assertThat(NamespacePlacement.forManifests("apps", "existing").namespace()).isEqualTo("apps");
        assertThatThrownBy(() -> NamespacePlacement.forManifests(null, "per-deployment"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status().getCode()).isEqualTo(422));
    }

    @Test
    void longNamesStayValidLabelsAndDistinct() {
        String a = "a".repeat(61) + "x";
        String b = "a".repeat(61) + "y";

        assertThat(DeploymentNamespaces.of(a)).hasSizeLessThanOrEqualTo(63).startsWith("op-").matches("[a-z0-9-]+")
                .isNotEqualTo(DeploymentNamespaces.of(b));
        assertThat(DeploymentNamespaces.of("a".repeat(60))).isEqualTo("op-" + "a".repeat(60));
    }
}
