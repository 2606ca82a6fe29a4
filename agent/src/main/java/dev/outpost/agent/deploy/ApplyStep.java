package dev.outpost.agent.deploy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

/** "apply Kind/name": server-side applies one object. */
final class ApplyStep implements PipelineStep {
    private final ClusterObjects objects;
    private final GenericKubernetesResource object;
    private final String name;

    ApplyStep(ClusterObjects objects, GenericKubernetesResource object, String description) {
        this.objects = objects;
        this.object = object;
        this.name = "apply " + description;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String run(StepNotes notes) {
        GenericKubernetesResource live = objects.apply(object);
        return "resourceVersion " + live.getMetadata().getResourceVersion();
    }
}
