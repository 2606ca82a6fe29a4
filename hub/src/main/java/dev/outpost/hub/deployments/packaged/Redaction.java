package dev.outpost.hub.deployments.packaged;

import java.util.LinkedHashMap;
import java.util.Map;

/** What a preview shows of an object: every value of a Secret's data and stringData replaced. */
public final class Redaction {
    /** What a redacted value reads as. */
    public static final String REDACTED = "(redacted)";

    private Redaction() {
    }

    /** {@code object} as shown; a copy when anything was redacted, never the input changed. */
    public static Map<String, Object> shown(PlannedObject object) {
        if (!"Secret".equals(object.kind()) || !"v1".equals(object.apiVersion())) {
            return object.body();
        }
        Map<String, Object> copy = new LinkedHashMap<>(object.body());
        for (String field : new String[] {"data", "stringData"}) {
            if (copy.get(field) instanceof Map<?, ?> values) {
                Map<Object, Object> redacted = new LinkedHashMap<>();
                values.keySet().forEach(k -> redacted.put(k, REDACTED));
                copy.put(field, redacted);
            }
        }
        return copy;
    }
}
