package dev.outpost.hub.packages.plan;

import dev.outpost.hub.packages.manifest.ComponentSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Orders components so that each comes after what it depends on; among components free to go, the one
 * written first in {@code outpost.yaml} goes first, so the order is stable. Unknown names and cycles
 * are refused, a cycle named in full ({@code a → b → a}).
 */
public final class DependencyOrder {
    private DependencyOrder() {
    }

    /** The components in dependency order. */
    public static List<ComponentSpec> order(List<ComponentSpec> components) throws DependencyException {
        Map<String, ComponentSpec> byName = new LinkedHashMap<>();
        components.forEach(c -> byName.put(c.name(), c));
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < components.size(); i++) {
            for (String dep : components.get(i).dependsOn()) {
                if (!byName.containsKey(dep)) {
                    problems.add("components[" + i + "].dependsOn: no component is named '" + dep + "'");
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new DependencyException(problems);
        }
        List<List<String>> cycles = cycles(byName);
        if (!cycles.isEmpty()) {
            for (List<String> cycle : cycles) {
                problems.add("components: dependsOn has a cycle: " + String.join(" → ", cycle));
            }
            throw new DependencyException(problems);
        }
        List<ComponentSpec> ordered = new ArrayList<>();
        Set<String> done = new HashSet<>();
        while (ordered.size() < components.size()) {
            for (ComponentSpec c : components) {
                if (!done.contains(c.name()) && done.containsAll(c.dependsOn())) {
                    ordered.add(c);
                    done.add(c.name());
                    break; // restart from the top: the earliest free component goes next
                }
            }
        }
        return ordered;
    }

    /** Each cycle once, starting at its first component in file order and ending where it started. */
    private static List<List<String>> cycles(Map<String, ComponentSpec> byName) {
        List<List<String>> cycles = new ArrayList<>();
        Map<String, Integer> state = new HashMap<>(); // 1 = on the current path, 2 = finished
        for (String start : byName.keySet()) {
            if (!state.containsKey(start)) {
                visit(start, byName, state, new ArrayList<>(), cycles);
            }
        }
        return cycles;
    }

    private static void visit(String name, Map<String, ComponentSpec> byName, Map<String, Integer> state,
                              List<String> path, List<List<String>> cycles) {
        state.put(name, 1);
        path.add(name);
        for (String dep : byName.get(name).dependsOn()) {
            Integer s = state.get(dep);
            if (s == null) {
                visit(dep, byName, state, path, cycles);
            } else if (s == 1) {
                List<String> cycle = new ArrayList<>(path.subList(path.indexOf(dep), path.size()));
                cycle.add(dep);
                cycles.add(cycle);
            }
        }
        path.removeLast();
        state.put(name, 2);
    }
}
