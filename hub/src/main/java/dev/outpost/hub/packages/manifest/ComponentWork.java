package dev.outpost.hub.packages.manifest;

import java.util.Map;

/** What a component carries out: exactly one of a Helm chart, manifests templates, or infrastructure. */
public sealed interface ComponentWork {

    /**
     * A Helm chart inside the package.
     *
     * @param path   a chart directory or {@code .tgz}, relative to the package root
     * @param values Helm values, whose strings may hold {{ parameters.x }}-style expressions
     */
    record Chart(String path, Map<String, Object> values) implements ComponentWork {
    }

    /**
     * Multi-document YAML in the release template format ({@code {{ name }}} placeholders).
     *
     * @param path a file, or a directory whose {@code .yaml}/{@code .yml} files are read in name order
     */
    record Manifests(String path) implements ComponentWork {
    }

    /**
     * Something the agent's infrastructure provider must make exist.
     *
     * @param kind       {@code nodePool} or {@code bucket}
     * @param name       the shared item's name
     * @param properties scalar values (strings may hold expressions), sent as strings
     */
    record Infrastructure(String kind, String name, Map<String, Object> properties) implements ComponentWork {
    }
}
