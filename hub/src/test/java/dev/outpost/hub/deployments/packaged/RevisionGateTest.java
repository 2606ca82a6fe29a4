package dev.outpost.hub.deployments.packaged;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.protocol.v1.ApplyDeployment;
import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.CommandResult;
import dev.outpost.protocol.v1.DeleteDeployment;
import dev.outpost.protocol.v1.DeploymentPlan;
import dev.outpost.protocol.v1.Outcome;
import dev.outpost.protocol.v1.PlanStep;
import java.util.List;
import org.junit.jupiter.api.Test;

class RevisionGateTest {
    private static final Command PLAN = Command.newBuilder().setCommandId("cmd_1").setApply(ApplyDeployment.newBuilder()
            .setPlan(DeploymentPlan.newBuilder().addSteps(PlanStep.newBuilder().setName("app")))).build();

    @Test
    void aPlanToARevisionOneStreamIsAnsweredFailedWithTheReason() {
        CommandResult refused = RevisionGate.refusal(PLAN, 1).orElseThrow();

        assertThat(refused.getCommandId()).isEqualTo("cmd_1");
        assertThat(refused.getOutcome()).isEqualTo(Outcome.OUTCOME_FAILED);
        assertThat(refused.getFailureReason()).isEqualTo(
                "the agent speaks outpost.v1 revision 1; package releases need revision 2 — upgrade the agent");
    }

    @Test
    void plainReleasesDeletesAndNewerAgentsPass() {
        Command plain = Command.newBuilder().setCommandId("c").setApply(ApplyDeployment.newBuilder().setNamespace("a")).build();
        Command delete = Command.newBuilder().setCommandId("d").setDelete(DeleteDeployment.getDefaultInstance()).build();

        assertThat(RevisionGate.refusal(plain, 1)).isEmpty();
        assertThat(RevisionGate.refusal(delete, 1)).isEmpty();
        assertThat(RevisionGate.refusal(PLAN, 2)).isEmpty();
    }

    @Test
    void agentFactsKeepOnlyWellFormedApiVersionsSortedAndBounded() {
        assertThat(AgentFactsStore.apiVersions(List.of("v1", "apps/v1", "monitoring.coreos.com/v1", "apps/v1",
                "not an api", "x".repeat(300) + "/v1"))).containsExactly("apps/v1", "monitoring.coreos.com/v1", "v1");
        List<String> many = java.util.stream.IntStream.range(0, 600).mapToObj(i -> "g" + i + ".example/v1").toList();
        assertThat(AgentFactsStore.apiVersions(many)).hasSize(dev.outpost.protocol.GrpcLimits.MAX_API_VERSIONS);
    }
}
