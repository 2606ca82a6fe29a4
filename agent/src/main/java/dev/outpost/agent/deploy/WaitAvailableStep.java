package dev.outpost.agent.deploy;

import dev.outpost.agent.model.ObjectRef;
import dev.outpost.agent.model.Readiness;
import dev.outpost.agent.model.WorkloadReadiness;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/** "wait Kind/name available": polls a Deployment or StatefulSet until it is available or time is up. */
final class WaitAvailableStep implements PipelineStep {
    private final ClusterObjects objects;
    private final ObjectRef ref;
    private final Deadline deadline;
    private final String name;

    WaitAvailableStep(ClusterObjects objects, ObjectRef ref, Deadline deadline, String description) {
        this.objects = objects;
        this.ref = ref;
        this.deadline = deadline;
        this.name = "wait " + description + " available";
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String run(StepNotes notes) throws InterruptedException, TimeoutException {
        while (true) {
            Optional<GenericKubernetesResource> live = objects.get(ref);
            Readiness readiness = live.map(WorkloadReadiness::of)
                    .orElse(new Readiness(false, "the object does not exist"));
            if (readiness.ready()) {
                return readiness.detail();
            }
            if (deadline.passed()) {
                throw new TimeoutException("not available within " + deadline.budget().toSeconds() + "s: "
                        + readiness.detail());
            }
            notes.note(readiness.detail());
            deadline.pause();
        }
    }
}
