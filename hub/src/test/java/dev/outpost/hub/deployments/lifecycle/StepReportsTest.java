package dev.outpost.hub.deployments.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.hub.deployments.Operation;
import dev.outpost.protocol.FieldLimits;
import dev.outpost.protocol.v1.Step;
import dev.outpost.protocol.v1.StepState;
import java.util.List;
import org.junit.jupiter.api.Test;

class StepReportsTest {

    @Test
    void stepStatesReadAsPlainWords() {
        List<Operation.Step> steps = StepReports.of(List.of(
                Step.newBuilder().setName("apply ConfigMap/a").setState(StepState.STEP_STATE_SUCCEEDED).build(),
                Step.newBuilder().setName("wait StatefulSet/a").setState(StepState.STEP_STATE_FAILED)
                        .setMessage("0/1 ready").build(),
                Step.newBuilder().setName("prune").setState(StepState.STEP_STATE_SKIPPED).build()));

        assertThat(steps).containsExactly(
                new Operation.Step("apply ConfigMap/a", "succeeded", ""),
                new Operation.Step("wait StatefulSet/a", "failed", "0/1 ready"),
                new Operation.Step("prune", "skipped", ""));
    }

    @Test
    void anUnsetOrUnknownStepStateReadsAsPending() {
        List<Operation.Step> steps = StepReports.of(List.of(
                Step.newBuilder().setName("a").build(),
                Step.newBuilder().setName("b").setStateValue(42).build()));

        assertThat(steps).extracting(Operation.Step::state).containsExactly("pending", "pending");
    }

    @Test
    void reportsAreBoundedInStepsAndCharacters() {
        Step huge = Step.newBuilder().setName("apply ConfigMap/" + "n".repeat(1000)).setState(StepState.STEP_STATE_RUNNING)
                .setMessage("😀".repeat(1000)).build();

        List<Operation.Step> steps = StepReports.of(java.util.Collections.nCopies(3000, huge));

        assertThat(steps).hasSize(FieldLimits.STEPS);
        assertThat(steps.getFirst().name()).hasSize(FieldLimits.STEP_NAME_CHARS).endsWith("n…");
        String message = steps.getFirst().message();
        assertThat(message.codePointCount(0, message.length())).isEqualTo(FieldLimits.STEP_MESSAGE_CHARS);
        assertThat(message).endsWith("😀…"); // cut between code points, never inside a surrogate pair
    }
}
