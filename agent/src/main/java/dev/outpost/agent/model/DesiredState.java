package dev.outpost.agent.model;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.List;

/**
 * What one apply command wants in the cluster: the rendered objects, labelled and in apply order.
 *
 * @param namespace the command's namespace, where namespaced objects go unless they name another
 * @param contentHash {@code ContentHash} of the rendered release text
 */
public record DesiredState(String deploymentId, long generation, String namespace, String contentHash,
                           List<GenericKubernetesResource> objects) {

    public DesiredState {
        objects = List.copyOf(objects);
    }

    /** References to the objects, in apply order. */
    public List<ObjectRef> refs() {
        return objects.stream().map(ObjectRef::of).toList();
    }
}
