package dev.outpost.charts;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The objects a chart rendered, parsed, with lookups by kind and name and by field path. */
public record Rendered(String text, List<Map<String, Object>> objects) {
    private static final Pattern STEP = Pattern.compile("([^.\\[]+)|\\[(\\d+)]");

    @SuppressWarnings("unchecked")
    public static Rendered parse(String yaml) {
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object document : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(yaml)) {
            if (document instanceof Map<?, ?> map) {
                objects.add((Map<String, Object>) map);
            }
        }
        return new Rendered(yaml, List.copyOf(objects));
    }

    public List<Map<String, Object>> all(String kind) {
        return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
    }

    public boolean has(String kind, String name) {
        return all(kind).stream().anyMatch(o -> name.equals(at(o, "metadata.name")));
    }

    /** The one object of this kind and name; fails naming what there is otherwise. */
    public Map<String, Object> one(String kind, String name) {
        List<Map<String, Object>> found = all(kind).stream().filter(o -> name.equals(at(o, "metadata.name"))).toList();
        if (found.size() != 1) {
            throw new AssertionError("expected one " + kind + " " + name + ", found " + found.size() + " among " + names());
        }
        return found.getFirst();
    }

    /** The only object of this kind. */
    public Map<String, Object> only(String kind) {
        List<Map<String, Object>> found = all(kind);
        if (found.size() != 1) {
            throw new AssertionError("expected one " + kind + ", found " + found.size() + " among " + names());
        }
        return found.getFirst();
    }

    /** The first container of the only Deployment. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> container() {
        return (Map<String, Object>) at(only("Deployment"), "spec.template.spec.containers[0]");
    }

    /** One environment variable of {@link #container()}, whole (value or valueFrom). */
    @SuppressWarnings("unchecked")
    public Map<String, Object> envVar(String name) {
        return listAt(container(), "env").stream().map(e -> (Map<String, Object>) e)
                .filter(e -> name.equals(e.get("name"))).findFirst().orElseThrow(() -> new AssertionError("no env " + name));
    }

    /** The plain-valued environment of {@link #container()}. */
    @SuppressWarnings("unchecked")
    public Map<String, String> env() {
        return listAt(container(), "env").stream().map(e -> (Map<String, Object>) e)
                .filter(e -> e.get("value") != null)
                .collect(java.util.stream.Collectors.toMap(e -> (String) e.get("name"), e -> (String) e.get("value")));
    }

    /** How many objects of each kind. */
    public Map<String, Integer> kindCounts() {
        Map<String, Integer> counts = new TreeMap<>();
        objects.forEach(o -> counts.merge((String) o.get("kind"), 1, Integer::sum));
        return counts;
    }

    /** "Kind/name" of every object, for failure messages. */
    public List<String> names() {
        return objects.stream().map(o -> o.get("kind") + "/" + at(o, "metadata.name")).toList();
    }

    /** The value at a path such as {@code spec.template.spec.containers[0].image}; null when absent. */
    public static Object at(Object root, String path) {
        Object current = root;
        Matcher matcher = STEP.matcher(path);
        while (matcher.find() && current != null) {
            if (matcher.group(1) != null) {
                current = current instanceof Map<?, ?> map ? map.get(matcher.group(1)) : null;
            } else {
                int index = Integer.parseInt(matcher.group(2));
                current = current instanceof List<?> list && index < list.size() ? list.get(index) : null;
            }
        }
        return current;
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> mapAt(Object root, String path) {
        return (Map<String, Object>) Objects.requireNonNull(at(root, path), path);
    }

    @SuppressWarnings("unchecked")
    public static List<Object> listAt(Object root, String path) {
        Object value = at(root, path);
        return value == null ? List.of() : (List<Object>) value;
    }
}
