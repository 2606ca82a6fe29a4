package dev.outpost.hub.deployments.packaged;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What changes between two plans: objects added, removed, and changed with the field paths that
 * differ ("spec.replicas", "spec.template.spec.containers[0].image"). Paths only, never values, so a
 * diff of a Secret shows which keys change and nothing of what they hold. Pure.
 */
public final class PlanDiff {
    /** Most field paths listed for one object; more are summed up in the last entry. */
    public static final int MAX_FIELDS = 100;

    private PlanDiff() {
    }

    /** An object that changes, with the paths that differ. */
    public record Changed(PlannedObject object, List<String> fields) {
    }

    /** The whole difference, each list in the new (or, for removed, the old) plan's order. */
    public record Difference(List<PlannedObject> added, List<PlannedObject> removed, List<Changed> changed) {
        /** True when applying the new plan changes nothing. */
        public boolean empty() {
            return added.isEmpty() && removed.isEmpty() && changed.isEmpty();
        }
    }

    /** How {@code after} differs from {@code before}. */
    public static Difference between(List<PlannedObject> before, List<PlannedObject> after) {
        Map<String, PlannedObject> old = byKey(before);
        Map<String, PlannedObject> now = byKey(after);
        List<PlannedObject> added = new ArrayList<>();
        List<Changed> changed = new ArrayList<>();
        for (PlannedObject object : now.values()) {
            PlannedObject was = old.get(object.key());
            if (was == null) {
                added.add(object);
                continue;
            }
            List<String> fields = new ArrayList<>();
            compare("", was.body(), object.body(), fields);
            if (!fields.isEmpty()) {
                changed.add(new Changed(object, bounded(fields)));
            }
        }
        List<PlannedObject> removed = old.values().stream().filter(o -> !now.containsKey(o.key())).toList();
        return new Difference(List.copyOf(added), removed, List.copyOf(changed));
    }

    private static Map<String, PlannedObject> byKey(List<PlannedObject> objects) {
        Map<String, PlannedObject> map = new LinkedHashMap<>();
        objects.forEach(o -> map.putIfAbsent(o.key(), o)); // a duplicate is the agent's to refuse
        return map;
    }

    private static void compare(String path, Object before, Object after, List<String> fields) {
        if (before instanceof Map<?, ?> a && after instanceof Map<?, ?> b) {
            Set<Object> keys = new LinkedHashSet<>(a.keySet());
            keys.addAll(b.keySet());
            for (Object key : keys) {
                compare(child(path, String.valueOf(key)), a.get(key), b.get(key), fields);
            }
        } else if (before instanceof List<?> a && after instanceof List<?> b) {
            for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
                compare(path + "[" + i + "]", i < a.size() ? a.get(i) : null, i < b.size() ? b.get(i) : null, fields);
            }
        } else if (!Objects.equals(before, after)) {
            fields.add(path.isEmpty() ? "." : path);
        }
    }

    private static String child(String path, String key) {
        String step = key.contains(".") || key.contains("[") ? "[" + quoted(key) + "]" : key;
        return path.isEmpty() ? step : step.startsWith("[") ? path + step : path + "." + step;
    }

    private static String quoted(String key) {
        return "'" + key.replace("'", "\\'") + "'";
    }

    private static List<String> bounded(List<String> fields) {
        if (fields.size() <= MAX_FIELDS) {
            return List.copyOf(fields);
        }
        List<String> kept = new ArrayList<>(fields.subList(0, MAX_FIELDS - 1));
        kept.add("… and " + (fields.size() - MAX_FIELDS + 1) + " more");
        return List.copyOf(kept);
    }
}
