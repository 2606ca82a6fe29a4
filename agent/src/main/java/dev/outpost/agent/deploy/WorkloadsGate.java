package dev.outpost.agent.deploy;

import dev.outpost.agent.model.ObjectRef;
import dev.outpost.agent.model.PlanException;
import dev.outpost.agent.model.Readiness;
import dev.outpost.agent.plan.GateReadiness;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * WorkloadsReady: every Deployment, StatefulSet and DaemonSet of the step available and every Job
 * complete, within one deadline for all of them. A Job that fails ends the wait at once, with its reason.
 */
final class WorkloadsGate implements StepGate {
    private final ClusterObjects objects;
    private final List<ObjectRef> workloads;
    private final Deadline deadline;

    WorkloadsGate(ClusterObjects objects, List<ObjectRef> stepObjects, Deadline deadline) {
        this.objects = objects;
        this.workloads = stepObjects.stream().filter(GateReadiness::isWorkload).toList();
        this.deadline = deadline;
    }

    @Override
    public String check(PipelineStep.StepNotes notes) throws InterruptedException, TimeoutException {
        List<String> ready = new ArrayList<>();
        for (ObjectRef ref : workloads) {
            ready.add(describe(ref) + ": " + waitFor(ref, notes));
        }
        return ready.isEmpty() ? "no workloads to wait for" : String.join("; ", ready);
    }

    private String waitFor(ObjectRef ref, PipelineStep.StepNotes notes) throws InterruptedException, TimeoutException {
        while (true) {
            Optional<GenericKubernetesResource> live = objects.get(ref);
            Readiness readiness = live.map(GateReadiness::of).orElse(new Readiness(false, "the object does not exist"));
            if (readiness.ready()) {
                return readiness.detail();
            }
            if (live.isPresent() && GateReadiness.isJob(ref)
                    && GateReadiness.job(live.get()).state() == GateReadiness.JobOutcome.State.FAILED) {
                throw new PlanException(describe(ref) + " " + readiness.detail());
            }
            if (deadline.passed()) {
                throw new TimeoutException(describe(ref) + " not ready after " + deadline.budget().toSeconds() + " s: "
                        + readiness.detail());
            }
            notes.note("waiting for " + describe(ref) + ": " + readiness.detail());
            deadline.pause();
        }
    }

    /** "StatefulSet op-redis/redis-replica": the operator sees where to look. */
    static String describe(ObjectRef ref) {
        return ref.kind() + " " + (ref.namespace() == null ? "" : ref.namespace() + "/") + ref.name();
    }
}
