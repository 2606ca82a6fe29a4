package dev.outpost.agent.deploy;

import dev.outpost.agent.model.PlanException;
import dev.outpost.protocol.v1.Step;
import dev.outpost.protocol.v1.StepState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a command's steps in order and reports the full step list on every change. Steps can be added
 * while it runs (the render step decides what follows). After a failure, every step not yet run is
 * SKIPPED and so is anything added later.
 */
final class Pipeline {
    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

    private final String context;
    private final ProgressListener listener;
    private final List<PipelineStep> work = new ArrayList<>();
    private final List<Step> steps = new ArrayList<>();
    private int next;
    private String failure;

    /** {@code context} prefixes log lines, e.g. "deployment d-1 command c-9". */
    Pipeline(String context, ProgressListener listener) {
        this.context = context;
        this.listener = listener;
    }

    /** Adds steps as PENDING (SKIPPED if the pipeline has already failed) and reports them. */
    void add(List<? extends PipelineStep> more) {
        for (PipelineStep step : more) {
            work.add(step);
            steps.add(Step.newBuilder().setName(step.name())
                    .setState(failure == null ? StepState.STEP_STATE_PENDING : StepState.STEP_STATE_SKIPPED).build());
        }
        report();
    }

    /** Runs every step not run yet; false when one failed (see {@link #failure()}). */
    boolean runAll() {
        while (failure == null && next < work.size()) {
            int index = next++;
            PipelineStep step = work.get(index);
            set(index, StepState.STEP_STATE_RUNNING, "");
            try {
                set(index, StepState.STEP_STATE_SUCCEEDED, step.run(message -> set(index, StepState.STEP_STATE_RUNNING, message)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail(index, "interrupted: the agent is shutting down");
            } catch (PlanException e) {
                fail(index, e.getMessage());
            } catch (Exception e) {
                LOG.debug("{}: step '{}' failed", context, step.name(), e);
                fail(index, ClusterMessages.of(e));
            }
        }
        return failure == null;
    }

    /** "step name: reason" of the failed step. */
    Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    List<Step> steps() {
        return List.copyOf(steps);
    }

    private void fail(int index, String message) {
        String name = steps.get(index).getName();
        failure = name + ": " + message;
        LOG.warn("{}: step '{}' failed: {}", context, name, message);
        steps.set(index, steps.get(index).toBuilder().setState(StepState.STEP_STATE_FAILED).setMessage(message).build());
        for (int i = index + 1; i < steps.size(); i++) {
            steps.set(i, steps.get(i).toBuilder().setState(StepState.STEP_STATE_SKIPPED).build());
        }
        next = work.size();
        report();
    }

    private void set(int index, StepState state, String message) {
        Step updated = steps.get(index).toBuilder().setState(state).setMessage(message == null ? "" : message).build();
        if (!updated.equals(steps.get(index))) {
            steps.set(index, updated);
            report();
        }
    }

    private void report() {
        try {
            listener.onSteps(steps());
        } catch (RuntimeException e) {
            // progress is best effort: a broken stream must not fail the deployment itself
            LOG.warn("{}: progress listener failed: {}", context, e.toString());
        }
    }
}
