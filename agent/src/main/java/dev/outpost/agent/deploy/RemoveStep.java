package dev.outpost.agent.deploy;

import dev.outpost.agent.model.ObjectRef;
import java.util.function.Consumer;

/** "prune Kind/name" or "delete Kind/name": removes one object if it still belongs to the deployment. */
final class RemoveStep implements PipelineStep {
    private final ClusterObjects objects;
    private final ObjectRef ref;
    private final String deploymentId;
    private final String name;
    private final Consumer<ObjectRef> onDeleted;

    /** {@code onDeleted} hears of each object actually deleted (for waiting until it is gone). */
    RemoveStep(String verb, ClusterObjects objects, ObjectRef ref, String deploymentId, String description,
               Consumer<ObjectRef> onDeleted) {
        this.objects = objects;
        this.ref = ref;
        this.deploymentId = deploymentId;
        this.name = verb + " " + description;
        this.onDeleted = onDeleted;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String run(StepNotes notes) {
        return switch (objects.removeIfOwned(ref, deploymentId)) {
            case DELETED -> {
                onDeleted.accept(ref);
                yield "deleted";
            }
            case ALREADY_GONE -> "already gone";
            case NOT_OURS -> "left alone: it does not carry this deployment's label";
        };
    }
}
