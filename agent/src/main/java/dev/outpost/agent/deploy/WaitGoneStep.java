package dev.outpost.agent.deploy;

import dev.outpost.agent.model.ObjectRef;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * "wait until deleted": polls until none of the objects deleted by earlier steps exists any more, or
 * time is up. {@code refs} is filled by those steps, so it is read only when this step runs.
 */
final class WaitGoneStep implements PipelineStep {
    private final ClusterObjects objects;
    private final List<ObjectRef> refs;
    private final Deadline deadline;

    WaitGoneStep(ClusterObjects objects, List<ObjectRef> refs, Deadline deadline) {
        this.objects = objects;
        this.refs = refs;
        this.deadline = deadline;
    }

    @Override
    public String name() {
        return "wait until deleted";
    }

    @Override
    public String run(StepNotes notes) throws InterruptedException, TimeoutException {
        while (true) {
            List<ObjectRef> remaining = refs.stream().filter(ref -> objects.get(ref).isPresent()).toList();
            if (remaining.isEmpty()) {
                return refs.size() + " objects gone";
            }
            String waitingFor = "still there: " + remaining.stream().map(ObjectRef::toString).collect(Collectors.joining(", "));
            if (deadline.passed()) {
                throw new TimeoutException("not gone within " + deadline.budget().toSeconds() + "s; " + waitingFor);
            }
            notes.note(waitingFor);
            deadline.pause();
        }
    }
}
