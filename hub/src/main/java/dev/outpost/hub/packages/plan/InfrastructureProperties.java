package dev.outpost.hub.packages.plan;

import dev.outpost.hub.packages.manifest.ComponentSpec;
import dev.outpost.hub.packages.manifest.ComponentWork;
import dev.outpost.hub.packages.render.TemplateContext;
import dev.outpost.hub.packages.render.TemplatingException;
import dev.outpost.hub.packages.render.ValuesTemplating;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** An infrastructure component's properties with expressions resolved, as the strings the protocol carries. */
public final class InfrastructureProperties {
    private InfrastructureProperties() {
    }

    /** The item's name with expressions resolved; it must then be a DNS label. */
    public static String name(ComponentSpec component, ComponentWork.Infrastructure work, TemplateContext context)
            throws TemplatingException {
        Object value = ValuesTemplating.resolveValue(component.name(), "infrastructure.name", work.name(), context);
        String name = value == null ? "" : String.valueOf(value);
        if (!name.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
            throw new TemplatingException(List.of("component " + component.name() + ", values key infrastructure.name: '"
                    + name + "' is not a DNS label"));
        }
        return name;
    }

    /** The properties, sorted by name; each must resolve to a string, number or boolean. */
    public static Map<String, String> resolve(ComponentSpec component, ComponentWork.Infrastructure work,
                                              TemplateContext context) throws TemplatingException {
        Map<String, String> out = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Object> e : work.properties().entrySet()) {
            String key = "properties." + e.getKey();
            try {
                Object value = ValuesTemplating.resolveValue(component.name(), key, e.getValue(), context);
                if (value instanceof String || value instanceof Boolean) {
                    out.put(e.getKey(), String.valueOf(value));
                } else if (value instanceof Number n) {
                    out.put(e.getKey(), n instanceof Double || n instanceof Float
                            ? new BigDecimal(n.toString()).stripTrailingZeros().toPlainString() : n.toString());
                } else {
                    problems.add("component " + component.name() + ", values key " + key
                            + ": must resolve to a string, number or boolean");
                }
            } catch (TemplatingException ex) {
                problems.addAll(ex.problems());
            }
        }
        if (!problems.isEmpty()) {
            throw new TemplatingException(problems);
        }
        return out;
    }
}
