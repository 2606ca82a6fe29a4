package dev.outpost.agent.deploy;

import dev.outpost.agent.model.ObjectRef;
import dev.outpost.agent.model.OutpostMetadata;
import dev.outpost.agent.model.PlanException;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.Optional;

/**
 * "apply Kind/name": server-side applies one object, unless an object of that name already exists
 * and belongs to someone else.
 *
 * <p>Apply forces conflicts (see {@link ClusterObjects#apply}), so without this check a second
 * deployment rendering the same names, or a release naming a customer's own Secret, would silently
 * take the object over and relabel it, and deleting that deployment would then delete it. The check
 * reads the live object first, so it is best effort: an object created by someone else between the
 * read and the apply is still taken over. Objects this deployment created always carry its label
 * (it is applied with the object), so only a label removed or changed by hand makes the agent refuse
 * its own object.
 */
final class ApplyStep implements PipelineStep {
    private final ClusterObjects objects;
    private final GenericKubernetesResource object;
    private final String deploymentId;
    private final String description;

    ApplyStep(ClusterObjects objects, GenericKubernetesResource object, String deploymentId, String description) {
        this.objects = objects;
        this.object = object;
        this.deploymentId = deploymentId;
        this.description = description;
    }

    @Override
    public String name() {
        return "apply " + description;
    }

    @Override
    public String run(StepNotes notes) {
        objects.get(ObjectRef.of(object)).ifPresent(this::checkOwned);
        GenericKubernetesResource live = objects.apply(object);
        return "resourceVersion " + live.getMetadata().getResourceVersion();
    }

    private void checkOwned(GenericKubernetesResource live) {
        Optional<String> owner = OutpostMetadata.owner(live);
        if (owner.isEmpty()) {
            throw new PlanException(description + " already exists and is not managed by Outpost");
        }
        if (!owner.get().equals(deploymentId)) {
            throw new PlanException(description + " already exists and belongs to deployment " + owner.get());
        }
    }
}
