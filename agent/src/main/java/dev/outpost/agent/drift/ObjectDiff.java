package dev.outpost.agent.drift;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which fields of a live object differ from what the agent applied. Only fields present in the
 * applied object are compared: whatever the API server or controllers add (defaults, status,
 * resourceVersion, managedFields, a Deployment's revision annotation) is not drift. Paths read like
 * {@code spec.replicas}, {@code spec.template.spec.containers[0].image},
 * {@code metadata.labels["app.kubernetes.io/name"]}.
 */
public final class ObjectDiff {
    /** Compared under metadata: the rest (uid, resourceVersion, managedFields…) is the server's. */
    private static final Set<String> COMPARED_METADATA = Set.of("labels", "annotations");
    /** Top-level fields that are not content: identity, or written by the cluster. */
    private static final Set<String> NOT_CONTENT = Set.of("apiVersion", "kind", "status");
    /** Most paths reported per object; more are summarised by the last entry. */
    static final int MAX_FIELDS = 50;

    private ObjectDiff() {
    }

    /** Field paths where {@code live} differs from {@code applied}; empty when it matches. */
    public static List<String> differingFields(Map<String, Object> applied, Map<String, Object> live) {
        List<String> fields = new ArrayList<>();
        Map<String, Object> expected = expected(applied);
        for (Map.Entry<String, Object> entry : expected.entrySet()) {
            String key = entry.getKey();
            if (NOT_CONTENT.contains(key)) {
                continue;
            }
            Object liveValue = live.get(key);
            if (key.equals("metadata")) {
                Map<String, Object> appliedMeta = asMap(entry.getValue());
                Map<String, Object> liveMeta = asMap(liveValue);
                for (String metaKey : COMPARED_METADATA) {
                    if (appliedMeta.containsKey(metaKey)) {
                        compare("metadata." + metaKey, appliedMeta.get(metaKey), liveMeta.get(metaKey), fields);
                    }
                }
                continue;
            }
            compare(key, entry.getValue(), liveValue, fields);
        }
        if (fields.size() > MAX_FIELDS) {
            int more = fields.size() - (MAX_FIELDS - 1);
            List<String> capped = new ArrayList<>(fields.subList(0, MAX_FIELDS - 1));
            capped.add("… " + more + " more");
            return capped;
        }
        return fields;
    }

    /**
     * What the live object should hold: a Secret's {@code stringData} is stored by the API server as
     * base64 {@code data}, so it is compared there.
     */
    private static Map<String, Object> expected(Map<String, Object> applied) {
        if (!"Secret".equals(applied.get("kind")) || !(applied.get("stringData") instanceof Map<?, ?> stringData)) {
            return applied;
        }
        Map<String, Object> copy = new LinkedHashMap<>(applied);
        Map<String, Object> data = new LinkedHashMap<>(asMap(applied.get("data")));
        stringData.forEach((key, value) -> data.put(String.valueOf(key), Base64.getEncoder()
                .encodeToString(String.valueOf(value).getBytes(StandardCharsets.UTF_8))));
        copy.remove("stringData");
        copy.put("data", data);
        return copy;
    }

    private static void compare(String path, Object applied, Object live, List<String> fields) {
        if (applied == null) {
            return; // an explicit null applies nothing
        }
        if (applied instanceof Map<?, ?> appliedMap) {
            if (!(live instanceof Map<?, ?> liveMap)) {
                fields.add(path);
                return;
            }
            for (Map.Entry<?, ?> entry : appliedMap.entrySet()) {
                String key = String.valueOf(entry.getKey());
                compare(child(path, key), entry.getValue(), liveMap.get(key), fields);
            }
            return;
        }
        if (applied instanceof List<?> appliedList) {
            if (!(live instanceof List<?> liveList) || liveList.size() != appliedList.size()) {
                fields.add(path);
                return;
            }
            for (int i = 0; i < appliedList.size(); i++) {
                compare(path + "[" + i + "]", appliedList.get(i), liveList.get(i), fields);
            }
            return;
        }
        if (!sameScalar(applied, live)) {
            fields.add(path);
        }
    }

    /** Equal, or the same number or quantity written differently ("500m" and "0.5", 80 and "80"). */
    static boolean sameScalar(Object applied, Object live) {
        if (live == null) {
            return false;
        }
        if (applied.equals(live)) {
            return true;
        }
        if (applied instanceof Boolean || live instanceof Boolean) {
            return false;
        }
        if (applied instanceof Number a && live instanceof Number b) {
            return new BigDecimal(a.toString()).compareTo(new BigDecimal(b.toString())) == 0;
        }
        return sameQuantity(String.valueOf(applied), String.valueOf(live));
    }

    private static boolean sameQuantity(String applied, String live) {
        if (applied.isEmpty() || live.isEmpty() || !Character.isDigit(applied.charAt(0)) && applied.charAt(0) != '.'
                || !Character.isDigit(live.charAt(0)) && live.charAt(0) != '.') {
            return false;
        }
        try {
            return Quantity.getAmountInBytes(Quantity.parse(applied))
                    .compareTo(Quantity.getAmountInBytes(Quantity.parse(live))) == 0;
        } catch (RuntimeException e) {
            return false; // not quantities: they simply differ
        }
    }

    private static String child(String path, String key) {
        boolean plain = !key.isEmpty() && key.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '_' || c == '-');
        return plain ? path + "." + key : path + "[\"" + key.replace("\"", "\\\"") + "\"]";
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object value) {
        return value instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    }
}
