package dev.outpost.agent.model;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Objects;

/**
 * Names one Kubernetes object: what the inventory records and what prune and delete act on.
 * {@code namespace} is null for cluster-scoped objects.
 */
public record ObjectRef(String apiVersion, String kind, String namespace, String name) {

    public ObjectRef {
        Objects.requireNonNull(apiVersion, "apiVersion");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        namespace = namespace == null || namespace.isEmpty() ? null : namespace;
    }

    /** The reference to an object as parsed or read from the cluster. */
    public static ObjectRef of(HasMetadata object) {
        return new ObjectRef(object.getApiVersion(), object.getKind(),
                object.getMetadata().getNamespace(), object.getMetadata().getName());
    }

    /** The API group; empty for the core group ("v1"). */
    public String group() {
        int slash = apiVersion.indexOf('/');
        return slash < 0 ? "" : apiVersion.substring(0, slash);
    }

    /**
     * Identity of the object regardless of API version: a release may move an object from one version
     * to another (apps/v1beta2 to apps/v1) and it is still the same object, which must not be pruned.
     */
    public String identity() {
        return group() + "/" + kind + "/" + (namespace == null ? "" : namespace) + "/" + name;
    }

    /** "Kind/name", plus " in namespace" when the object is not in {@code usualNamespace}. */
    public String describe(String usualNamespace) {
        String base = kind + "/" + name;
        return namespace == null || namespace.equals(usualNamespace) ? base : base + " in " + namespace;
    }

    /** "Kind/name". */
    @Override
    public String toString() {
        return kind + "/" + name;
    }
}
