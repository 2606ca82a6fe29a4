package dev.outpost.hub.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The Kubernetes objects a chart rendered to, parsed, with the look-ups the example tests need. */
public record Rendered(List<Map<String, Object>> objects) {

    /** Parses multi-document YAML (Helm's output); empty documents are dropped. */
    @SuppressWarnings("unchecked")
    public static Rendered parse(String yaml) {
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object document : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(yaml)) {
            if (document instanceof Map<?, ?> map) {
                objects.add((Map<String, Object>) map);
            }
        }
        return new Rendered(List.copyOf(objects));
    }

    /** How many objects of each kind, e.g. {ConfigMap=1, Service=3, StatefulSet=2}. */
    public Map<String, Integer> kindCounts() {
        Map<String, Integer> counts = new TreeMap<>();
        objects.forEach(o -> counts.merge((String) o.get("kind"), 1, Integer::sum));
        return counts;
    }

    /** The objects of one kind, in render order. */
    public List<Map<String, Object>> ofKind(String kind) {
        return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
    }

    /** The one object of {@code kind} named {@code name}; fails the test when there is not exactly one. */
    public Map<String, Object> one(String kind, String name) {
        List<Map<String, Object>> found = ofKind(kind).stream().filter(o -> name.equals(at(o, "metadata.name"))).toList();
        if (found.size() != 1) {
            throw new AssertionError("expected one " + kind + " " + name + ", found " + found.size() + " in " + kindCounts());
        }
        return found.getFirst();
    }

    /** Whether an object of {@code kind} named {@code name} was rendered. */
    public boolean has(String kind, String name) {
        return ofKind(kind).stream().anyMatch(o -> name.equals(at(o, "metadata.name")));
    }

    /** The map at a dotted path (see {@link #at}); null when missing. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> mapAt(Object root, String path) {
        return (Map<String, Object>) at(root, path);
    }

    /**
     * The value at a dotted path, e.g. {@code spec.template.spec.containers[0].resources}; null when
     * any step is missing. Keys holding dots (labels) are not reachable this way: read the map.
     */
    public static Object at(Object root, String path) {
        Object current = root;
        for (String step : path.split("\\.")) {
            String key = step;
            Integer index = null;
            int bracket = step.indexOf('[');
            if (bracket >= 0) {
                key = step.substring(0, bracket);
                index = Integer.parseInt(step.substring(bracket + 1, step.length() - 1));
            }
            if (!(current instanceof Map<?, ?> map)) {
                return null;
            }
            current = map.get(key);
            if (index != null) {
                if (!(current instanceof List<?> list) || index >= list.size()) {
                    return null;
                }
                current = list.get(index);
            }
        }
        return current;
    }
}
