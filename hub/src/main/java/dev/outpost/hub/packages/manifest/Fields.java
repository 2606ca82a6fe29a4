package dev.outpost.hub.packages.manifest;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Strict reading of one YAML mapping: every key read is remembered, and {@link #finish} reports the
 * rest as unknown, with its full path ({@code components[1].chart.valuez}).
 */
final class Fields {
    private final String path;
    private final Map<String, Object> map;
    private final List<String> problems;
    private final Set<String> read = new LinkedHashSet<>();

    private Fields(String path, Map<String, Object> map, List<String> problems) {
        this.path = path;
        this.map = map;
        this.problems = problems;
    }

    /** The mapping at {@code path}; an empty one (after recording a problem) when {@code value} is not a mapping. */
    @SuppressWarnings("unchecked")
    static Fields of(String path, Object value, List<String> problems) {
        if (value instanceof Map<?, ?> m) {
            return new Fields(path, (Map<String, Object>) m, problems);
        }
        problems.add(label(path) + ": must be a mapping");
        return new Fields(path, Map.of(), problems);
    }

    List<String> problems() {
        return problems;
    }

    String path() {
        return path;
    }

    /** The path of {@code key} in this mapping. */
    String at(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    boolean has(String key) {
        return map.containsKey(key);
    }

    /** The raw value of {@code key}, marked as read; null when absent. */
    Object raw(String key) {
        read.add(key);
        return map.get(key);
    }

    /** A string (numbers and booleans are not accepted silently); null when absent and optional. */
    String string(String key, boolean required) {
        Object value = raw(key);
        if (value == null) {
            if (required) {
                problem(key, "is required");
            }
            return null;
        }
        if (!(value instanceof String s)) {
            problem(key, "must be a string");
            return null;
        }
        return s;
    }

    /** A nested mapping, or null when absent (a problem when required). */
    Fields fields(String key, boolean required) {
        Object value = raw(key);
        if (value == null) {
            if (required) {
                problem(key, "is required");
            }
            return null;
        }
        return of(at(key), value, problems);
    }

    /** A free-form mapping (values of any JSON type), empty when absent. */
    @SuppressWarnings("unchecked")
    Map<String, Object> freeMap(String key) {
        Object value = raw(key);
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> m)) {
            problem(key, "must be a mapping");
            return Map.of();
        }
        return (Map<String, Object>) m;
    }

    /** A list, empty when absent. */
    List<?> list(String key) {
        Object value = raw(key);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> l)) {
            problem(key, "must be a list");
            return List.of();
        }
        return l;
    }

    /** Every key this mapping has, in order. */
    Set<String> keys() {
        return map.keySet();
    }

    void problem(String key, String message) {
        problems.add(at(key) + ": " + message);
    }

    /** Reports every key that was not read as unknown, naming the keys that are allowed (those read). */
    void finish() {
        for (String key : map.keySet()) {
            if (!read.contains(key)) {
                problems.add(at(key) + ": unknown key (allowed here: " + String.join(", ", read) + ")");
            }
        }
    }

    private static String label(String path) {
        return path.isEmpty() ? "outpost.yaml" : path;
    }
}
