package dev.outpost.hub.packages.render;

/**
 * One Kubernetes object a component renders.
 *
 * @param apiVersion e.g. {@code apps/v1}
 * @param kind       e.g. {@code StatefulSet}
 * @param namespace  {@code metadata.namespace}, or null when the object does not set it
 * @param name       {@code metadata.name}
 * @param yaml       the object's YAML document as rendered, without a leading {@code ---}
 */
public record RenderedObject(String apiVersion, String kind, String namespace, String name, String yaml) {

    /** "Kind/name", how problems and plans name the object. */
    public String label() {
        return kind + "/" + name;
    }
}
