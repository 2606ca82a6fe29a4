package dev.outpost.hub.deployments;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.protocol.v1.Step;
import dev.outpost.protocol.v1.StepState;
import java.util.List;
import org.junit.jupiter.api.Test;

class StepMappingTest {

    @Test
    void stepStatesReadAsPlainWords() {
        List<Operation.Step> steps = JdbcCommandOutbox.steps(List.of(
                Step.newBuilder().setName("apply ConfigMap/a").setState(StepState.STEP_STATE_SUCCEEDED).build(),
                Step.newBuilder().setName("wait StatefulSet/a").setState(StepState.STEP_STATE_FAILED)
                        .setMessage("0/1 ready").build(),
                Step.newBuilder().setName("prune").setState(StepState.STEP_STATE_SKIPPED).build()));

        assertThat(steps).containsExactly(
                new Operation.Step("apply ConfigMap/a", "succeeded", ""),
                new Operation.Step("wait StatefulSet/a", "failed", "0/1 ready"),
                new Operation.Step("prune", "skipped", ""));
    }
}
