package dev.outpost.hub.deployments.lifecycle;

import static dev.outpost.hub.deployments.lifecycle.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.protocol.v1.ApplyDeployment;
import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.DeleteDeployment;
import dev.outpost.protocol.v1.DeploymentPlan;
import dev.outpost.protocol.v1.HealthGate;
import dev.outpost.protocol.v1.PlanStep;
import dev.outpost.protocol.v1.WorkloadsReady;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ResultDeadlineTest {
    private static final Duration DELETE = Duration.ofMinutes(5);
    private static final Duration MARGIN = Duration.ofMinutes(2);

    @Test
    void aPlainApplyMayTakeItsReadyTimeoutPlusTheMargin() {
        Command apply = Command.newBuilder().setApply(ApplyDeployment.newBuilder().setReadyTimeoutSeconds(300)).build();

        assertThat(ResultDeadline.of(apply, T0, DELETE, MARGIN)).isEqualTo(T0.plusSeconds(300 + 120));
    }

    @Test
    void aPlanMayTakeEveryGateInTurnAndAGatelessStepTheReadyTimeout() {
        Command plan = Command.newBuilder().setApply(ApplyDeployment.newBuilder().setReadyTimeoutSeconds(60)
                .setPlan(DeploymentPlan.newBuilder()
                        .addSteps(step("gpu-pool", 900))
                        .addSteps(step("redis", 300))
                        .addSteps(PlanStep.newBuilder().setName("config"))))
                .build();

        assertThat(ResultDeadline.of(plan, T0, DELETE, MARGIN)).isEqualTo(T0.plusSeconds(900 + 300 + 60 + 120));
    }

    @Test
    void aDeleteMayTakeTheConfiguredTimeoutPlusTheMargin() {
        Command delete = Command.newBuilder().setDelete(DeleteDeployment.newBuilder().setNamespace("apps")).build();

        assertThat(ResultDeadline.of(delete, T0, DELETE, MARGIN)).isEqualTo(T0.plus(DELETE).plus(MARGIN));
    }

    private static PlanStep step(String name, int gateSeconds) {
        return PlanStep.newBuilder().setName(name).setGate(HealthGate.newBuilder().setTimeoutSeconds(gateSeconds)
                .setWorkloadsReady(WorkloadsReady.getDefaultInstance())).build();
    }
}
