package dev.outpost.agent.deploy;

import dev.outpost.agent.model.ObjectRef;
import dev.outpost.agent.model.PlanException;
import dev.outpost.agent.plan.GateReadiness;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/** JobSucceeded: the named Job of the step completes; a failed Job fails the step with the Job's reason. */
final class JobGate implements StepGate {
    private final ClusterObjects objects;
    private final ObjectRef job;
    private final Deadline deadline;

    JobGate(ClusterObjects objects, ObjectRef job, Deadline deadline) {
        this.objects = objects;
        this.job = job;
        this.deadline = deadline;
    }

    @Override
    public String check(PipelineStep.StepNotes notes) throws InterruptedException, TimeoutException {
        String name = WorkloadsGate.describe(job);
        while (true) {
            Optional<GenericKubernetesResource> live = objects.get(job);
            GateReadiness.JobOutcome outcome = live.map(GateReadiness::job).orElse(
                    new GateReadiness.JobOutcome(GateReadiness.JobOutcome.State.RUNNING, "the Job does not exist"));
            switch (outcome.state()) {
                case COMPLETE -> {
                    return name + " succeeded: " + outcome.detail();
                }
                case FAILED -> throw new PlanException(name + " failed: " + outcome.detail());
                case RUNNING -> {
                    if (deadline.passed()) {
                        throw new TimeoutException(name + " did not succeed within " + deadline.budget().toSeconds()
                                + " s: " + outcome.detail());
                    }
                    notes.note("waiting for " + name + ": " + outcome.detail());
                    deadline.pause();
                }
            }
        }
    }
}
