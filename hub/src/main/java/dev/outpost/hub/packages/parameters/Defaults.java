package dev.outpost.hub.packages.parameters;

import java.util.LinkedHashMap;
import java.util.Map;

/** Fills in a JSON Schema's {@code default}s for absent properties, through nested objects. */
final class Defaults {
    private Defaults() {
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> apply(Map<String, Object> schema, Map<String, Object> value) {
        Map<String, Object> out = new LinkedHashMap<>(value);
        ParameterSchema.properties(schema).forEach((name, spec) -> {
            if (!(spec instanceof Map<?, ?> m)) {
                return;
            }
            Map<String, Object> property = (Map<String, Object>) m;
            if (!out.containsKey(name) && property.containsKey("default")) {
                out.put(name, property.get("default"));
            }
            Object current = out.get(name);
            if (current instanceof Map<?, ?> nested && property.containsKey("properties")) {
                out.put(name, apply(property, (Map<String, Object>) nested));
            } else if (current == null && !out.containsKey(name) && "object".equals(property.get("type"))
                    && property.containsKey("properties")) {
                Map<String, Object> filled = apply(property, Map.of());
                if (!filled.isEmpty()) {
                    out.put(name, filled);
                }
            }
        });
        return out;
    }
}
