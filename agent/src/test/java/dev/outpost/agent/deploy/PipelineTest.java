package dev.outpost.agent.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.agent.model.PlanException;
import dev.outpost.protocol.v1.Step;
import dev.outpost.protocol.v1.StepState;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PipelineTest {
    private final List<List<Step>> reports = new ArrayList<>();
    private final Pipeline pipeline = new Pipeline("test", reports::add);

    @Test
    void runsStepsInOrderAndReportsEveryChange() {
        List<String> ran = new ArrayList<>();
        pipeline.add(List.of(PipelineStep.named("one", () -> {
            ran.add("one");
            return "first";
        }), PipelineStep.named("two", () -> {
            ran.add("two");
            return "";
        })));

        assertThat(pipeline.runAll()).isTrue();

        assertThat(ran).containsExactly("one", "two");
        assertThat(pipeline.steps()).extracting(Step::getState)
                .containsExactly(StepState.STEP_STATE_SUCCEEDED, StepState.STEP_STATE_SUCCEEDED);
        assertThat(pipeline.steps().getFirst().getMessage()).isEqualTo("first");
        assertThat(reports.getFirst()).extracting(Step::getState)
                .containsExactly(StepState.STEP_STATE_PENDING, StepState.STEP_STATE_PENDING);
        assertThat(reports.get(1)).extracting(Step::getState)
                .containsExactly(StepState.STEP_STATE_RUNNING, StepState.STEP_STATE_PENDING);
        assertThat(pipeline.failure()).isEmpty();
    }

    @Test
    void skipsEverythingAfterAFailureAndNamesTheFailedStep() {
        List<String> ran = new ArrayList<>();
        pipeline.add(List.of(PipelineStep.named("apply StatefulSet/redis", () -> {
            throw new KubernetesClientException(new StatusBuilder().withCode(422)
                    .withMessage("StatefulSet.apps \"redis\" is invalid: spec.replicas: Invalid value: -1").build());
        }), PipelineStep.named("wait StatefulSet/redis available", () -> {
            ran.add("wait");
            return "";
        })));

        assertThat(pipeline.runAll()).isFalse();
        pipeline.add(List.of(PipelineStep.named("record inventory", () -> {
            ran.add("record");
            return "";
        })));
        assertThat(pipeline.runAll()).isFalse();

        assertThat(ran).isEmpty();
        assertThat(pipeline.steps()).extracting(Step::getState).containsExactly(
                StepState.STEP_STATE_FAILED, StepState.STEP_STATE_SKIPPED, StepState.STEP_STATE_SKIPPED);
        assertThat(pipeline.failure()).contains(
                "apply StatefulSet/redis: StatefulSet.apps \"redis\" is invalid: spec.replicas: Invalid value: -1");
    }

    @Test
    void longStepsCanSayWhatTheyWaitFor() {
        pipeline.add(List.of(new PipelineStep() {
            @Override
            public String name() {
                return "wait";
            }

            @Override
            public String run(StepNotes notes) {
                notes.note("0/1 replicas available");
                notes.note("0/1 replicas available");
                return "1/1 replicas available";
            }
        }));

        pipeline.runAll();

        assertThat(reports).extracting(steps -> steps.getFirst().getMessage())
                .containsExactly("", "", "0/1 replicas available", "1/1 replicas available");
    }

    @Test
    void aPlanProblemFailsTheStepWithItsMessage() {
        pipeline.add(List.of(PipelineStep.named("render", () -> {
            throw new PlanException("document 2 has no kind");
        })));
        assertThat(pipeline.runAll()).isFalse();
        assertThat(pipeline.failure()).contains("render: document 2 has no kind");
    }

    @Test
    void aBrokenListenerDoesNotFailTheCommand() {
        Pipeline withBrokenListener = new Pipeline("test", steps -> {
            throw new IllegalStateException("stream closed");
        });
        withBrokenListener.add(List.of(PipelineStep.named("one", () -> "ok")));
        assertThat(withBrokenListener.runAll()).isTrue();
    }
}
