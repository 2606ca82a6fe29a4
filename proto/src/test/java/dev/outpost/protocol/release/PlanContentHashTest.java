package dev.outpost.protocol.release;

import dev.outpost.protocol.v1.ApplyDeployment;
import dev.outpost.protocol.v1.DeploymentPlan;
import dev.outpost.protocol.v1.InfrastructureRequirement;
import dev.outpost.protocol.v1.PlanStep;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The plan hash both sides compute: the hub to check an agent's result, the agent to report it. */
class PlanContentHashTest {

    private static PlanStep step(String name, String inputHash) {
        return PlanStep.newBuilder().setName(name).setInputHash(inputHash).build();
    }

    @Test
    void itIsTheHashOfOneLinePerStepWithItsInputHash() {
        DeploymentPlan plan = DeploymentPlan.newBuilder().addSteps(step("pool", "sha256:p"))
                .addSteps(step("app", "sha256:a")).build();
        assertThat(PlanContentHash.of(plan)).isEqualTo(ContentHash.of("pool sha256:p\napp sha256:a\n"));
    }

    @Test
    void aChangedStepOrOrderChangesIt() {
        DeploymentPlan plan = DeploymentPlan.newBuilder().addSteps(step("pool", "sha256:p"))
                .addSteps(step("app", "sha256:a")).build();
        assertThat(PlanContentHash.of(plan))
                .isNotEqualTo(PlanContentHash.of(plan.toBuilder().setSteps(1, step("app", "sha256:b")).build()))
                .isNotEqualTo(PlanContentHash.of(DeploymentPlan.newBuilder().addSteps(step("app", "sha256:a"))
                        .addSteps(step("pool", "sha256:p")).build()));
    }

    @Test
    void aStepWithoutAnInputHashCountsByItsContent() {
        PlanStep small = PlanStep.newBuilder().setName("pool").setInfrastructure(
                InfrastructureRequirement.newBuilder().setKind("nodePool").setName("gpu").putProperties("min", "1")).build();
        PlanStep large = small.toBuilder().setInfrastructure(small.getInfrastructure().toBuilder()
                .putProperties("min", "2")).build();
        assertThat(PlanContentHash.of(DeploymentPlan.newBuilder().addSteps(small).build()))
                .isNotEqualTo(PlanContentHash.of(DeploymentPlan.newBuilder().addSteps(large).build()));
    }

    @Test
    void theHubExpectsThePlanHashForAPlanAndTheManifestsHashOtherwise() {
        DeploymentPlan plan = DeploymentPlan.newBuilder().addSteps(step("app", "sha256:a")).build();
        ApplyDeployment withPlan = ApplyDeployment.newBuilder().setNamespace("apps").setPlan(plan).build();
        assertThat(ReleaseRendering.contentHash("dep_1", withPlan)).isEqualTo(PlanContentHash.of(plan));
    }
}
