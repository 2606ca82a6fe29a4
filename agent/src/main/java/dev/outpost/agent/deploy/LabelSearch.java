package dev.outpost.agent.deploy;

import dev.outpost.agent.model.ObjectRef;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Finds a deployment's objects by its labels, so that prune and delete still work when the inventory
 * file was lost (a new volume, a restored node). Searched: the given kinds, in the given namespaces
 * that the agent may touch; one LIST per kind and namespace.
 */
final class LabelSearch {
    private final ClusterObjects objects;
    private final Set<String> allowedNamespaces;

    LabelSearch(ClusterObjects objects, Set<String> allowedNamespaces) {
        this.objects = objects;
        this.allowedNamespaces = allowedNamespaces;
    }

    /** Labelled objects of the kinds in {@code kindsOf} in {@code namespaces}. */
    List<ObjectRef> find(String deploymentId, Collection<ObjectRef> kindsOf, Collection<String> namespaces) {
        Map<String, ObjectRef> kinds = new LinkedHashMap<>();
        kindsOf.forEach(ref -> kinds.putIfAbsent(ref.group() + "/" + ref.kind(), ref));
        List<ObjectRef> found = new ArrayList<>();
        for (String namespace : namespaces.stream().filter(Objects::nonNull).distinct().filter(allowedNamespaces::contains).toList()) {
            for (ObjectRef kind : kinds.values()) {
                found.addAll(objects.findLabelled(kind.apiVersion(), kind.kind(), namespace, deploymentId));
            }
        }
        return found;
    }
}
