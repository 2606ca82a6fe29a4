package dev.outpost.agent.model;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

/** One object of a rendered release with its 1-based document number, so errors can point at it. */
public record ManifestDocument(int number, GenericKubernetesResource object) {

    /** "document 3 (ConfigMap/redis-config)" for error messages. */
    public String describe() {
        return "document " + number + " (" + object.getKind() + "/" + object.getMetadata().getName() + ")";
    }
}
