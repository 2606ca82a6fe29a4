package dev.outpost.agent.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.outpost.agent.model.PlanException;
import dev.outpost.protocol.v1.Step;
import dev.outpost.protocol.v1.StepState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PlanScheduleTest {

    @Test
    void runsDependenciesFirstAndKeepsThePlansOrderOtherwise() {
        PlanSchedule schedule = PlanSchedule.of(List.of(step("app", "db", "cache"), step("db"), step("docs"),
                step("cache"), step("smoke", "app")));

        assertThat(schedule.order()).containsExactly("db", "docs", "cache", "app", "smoke");
        assertThat(schedule.steps()).extracting(Step::getState).containsOnly(StepState.STEP_STATE_PENDING);
    }

    @Test
    void everyStepRunsWhenNothingFails() {
        PlanSchedule schedule = PlanSchedule.of(List.of(step("gpu-pool"), step("inference", "gpu-pool")));

        assertThat(runAll(schedule, List.of())).containsExactly("gpu-pool", "inference");

        assertThat(schedule.succeeded()).isTrue();
        assertThat(schedule.failedStep()).isEmpty();
        assertThat(schedule.failureReason()).isEmpty();
    }

    @Test
    void aFailedStepSkipsWhatDependsOnItTransitivelyButNotIndependentSteps() {
        PlanSchedule schedule = PlanSchedule.of(List.of(step("gpu-pool"), step("inference", "gpu-pool"),
                step("frontend", "inference"), step("docs"), step("metrics", "docs")));

        List<String> ran = runAll(schedule, List.of("gpu-pool"));

        assertThat(ran).containsExactly("gpu-pool", "docs", "metrics");
        assertThat(schedule.steps()).extracting(Step::getName, Step::getState, Step::getMessage).containsExactly(
                tuple("gpu-pool", StepState.STEP_STATE_FAILED, "quota exceeded"),
                tuple("inference", StepState.STEP_STATE_SKIPPED, "depends on `gpu-pool`"),
                tuple("frontend", StepState.STEP_STATE_SKIPPED, "depends on `inference`"),
                tuple("docs", StepState.STEP_STATE_SUCCEEDED, "done"),
                tuple("metrics", StepState.STEP_STATE_SUCCEEDED, "done"));
        assertThat(schedule.succeeded()).isFalse();
        assertThat(schedule.failedStep()).contains("gpu-pool");
    }

    @Test
    void theFailureReasonNamesTheFailedStepAndWhatWasSkippedBecauseOfIt() {
        PlanSchedule schedule = PlanSchedule.of(List.of(step("gpu-pool"), step("inference", "gpu-pool")));

        runAll(schedule, List.of("gpu-pool"));

        assertThat(schedule.failureReason()).contains("step `gpu-pool` failed: quota exceeded; "
                + "skipped: `inference` (depends on `gpu-pool`)");
    }

    @Test
    void aStepWithTwoDependenciesIsSkippedWhenEitherFails() {
        PlanSchedule schedule = PlanSchedule.of(List.of(step("db"), step("cache"), step("app", "db", "cache")));

        List<String> ran = runAll(schedule, List.of("cache"));

        assertThat(ran).containsExactly("db", "cache");
        assertThat(schedule.state("app")).isEqualTo(StepState.STEP_STATE_SKIPPED);
        assertThat(schedule.failureReason()).contains("step `cache` failed: quota exceeded; skipped: `app` (depends on `cache`)");
    }

    @Test
    void twoIndependentFailuresAreBothNamedAndTheFirstIsTheFailedStep() {
        PlanSchedule schedule = PlanSchedule.of(List.of(step("a"), step("b"), step("c", "b")));

        runAll(schedule, List.of("a", "b"));

        assertThat(schedule.failedStep()).contains("a");
        assertThat(schedule.failureReason()).contains("step `a` failed: quota exceeded; step `b` failed: quota exceeded; "
                + "skipped: `c` (depends on `b`)");
    }

    @Test
    void skippingTheRestLeavesFinishedStepsAsTheyWere() {
        PlanSchedule schedule = PlanSchedule.of(List.of(step("a"), step("b", "a"), step("c")));
        schedule.start("a");
        schedule.succeed("a", "");
        schedule.start("b");
        schedule.fail("b", "interrupted: the agent is shutting down");

        schedule.skipRemaining("the command stopped");

        assertThat(schedule.steps()).extracting(Step::getState).containsExactly(StepState.STEP_STATE_SUCCEEDED,
                StepState.STEP_STATE_FAILED, StepState.STEP_STATE_SKIPPED);
        assertThat(schedule.next()).isEmpty();
    }

    @Test
    void notesChangeTheMessageButNotTheState() {
        PlanSchedule schedule = PlanSchedule.of(List.of(step("redis")));
        schedule.start("redis");

        assertThat(schedule.note("redis", "StatefulSet/redis: 1/2 replicas available")).isTrue();
        assertThat(schedule.note("redis", "StatefulSet/redis: 1/2 replicas available")).as("nothing new").isFalse();

        assertThat(schedule.steps().getFirst()).extracting(Step::getState, Step::getMessage)
                .containsExactly(StepState.STEP_STATE_RUNNING, "StatefulSet/redis: 1/2 replicas available");
    }

    @Test
    void refusesADependencyOnAStepThePlanDoesNotHave() {
        assertThatThrownBy(() -> PlanSchedule.of(List.of(step("app", "databse"), step("database"))))
                .isInstanceOf(PlanException.class)
                .hasMessage("step `app` depends on `databse`, which the plan does not have");
    }

    @Test
    void refusesACycleNamingItsSteps() {
        assertThatThrownBy(() -> PlanSchedule.of(List.of(step("base"), step("a", "c"), step("b", "a"), step("c", "b"))))
                .isInstanceOf(PlanException.class)
                .hasMessage("steps `a` → `c` → `b` → `a` depend on each other in a cycle");
    }

    @Test
    void refusesAStepThatDependsOnItself() {
        assertThatThrownBy(() -> PlanSchedule.of(List.of(step("a", "a"))))
                .isInstanceOf(PlanException.class)
                .hasMessage("steps `a` → `a` depend on each other in a cycle");
    }

    @Test
    void refusesTwoStepsWithOneNameAndAStepWithoutAName() {
        assertThatThrownBy(() -> PlanSchedule.of(List.of(step("redis"), step("redis"))))
                .isInstanceOf(PlanException.class).hasMessage("the plan has two steps named `redis`");
        assertThatThrownBy(() -> PlanSchedule.of(List.of(step(""))))
                .isInstanceOf(PlanException.class).hasMessage("the plan has a step without a name");
    }

    private static ScheduledStep step(String name, String... dependsOn) {
        return new ScheduledStep(name, List.of(dependsOn));
    }

    /** Runs the schedule to the end as an executor would; steps in {@code failing} fail. */
    private static List<String> runAll(PlanSchedule schedule, List<String> failing) {
        List<String> ran = new ArrayList<>();
        for (Optional<String> next = schedule.next(); next.isPresent(); next = schedule.next()) {
            String name = next.get();
            schedule.start(name);
            ran.add(name);
            if (failing.contains(name)) {
                schedule.fail(name, "quota exceeded");
            } else {
                schedule.succeed(name, "done");
            }
        }
        return ran;
    }
}
