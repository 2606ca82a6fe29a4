package dev.outpost.agent.drift;

import dev.outpost.agent.model.ObjectRef;

/** One informer: a kind in one namespace, shared by every deployment with objects of that kind there. */
record InformerKey(String apiVersion, String kind, String namespace) {

    static InformerKey of(ObjectRef ref) {
        return new InformerKey(ref.apiVersion(), ref.kind(), ref.namespace());
    }

    /** The object of this key named {@code name}. */
    ObjectRef ref(String name) {
        return new ObjectRef(apiVersion, kind, namespace, name);
    }

    @Override
    public String toString() {
        return kind + " (" + apiVersion + ") in " + namespace;
    }
}
