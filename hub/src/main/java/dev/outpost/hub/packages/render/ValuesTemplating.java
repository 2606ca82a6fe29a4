package dev.outpost.hub.packages.render;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves {@code {{ parameters.x }}}, {@code {{ plan.x }}}, {@code {{ deployment.name }}} and
 * {@code {{ deployment.namespace }}} in a component's values. A string that is exactly one expression
 * takes the referenced value's JSON type ({@code "{{ plan.replicas }}"} becomes the number 3); inside
 * a longer string the value is written as text. Any other {@code {{ ... }}} (e.g. {@code {{ .Release.Name }}}
 * meant for the chart's {@code tpl}) is left for Helm.
 */
public final class ValuesTemplating {
    private static final String ROOTS = "parameters|plan|deployment";
    private static final Pattern EXPRESSION =
            Pattern.compile("\\{\\{\\s*(" + ROOTS + ")((?:\\.[A-Za-z0-9_-]+)+)\\s*}}");
    /** Longest string an expression may produce inside a longer string. */
    private static final int MAX_TEXT_CHARS = 64 * 1024;

    private ValuesTemplating() {
    }

    /** {@code values} with every expression resolved; every unresolvable one is reported, naming component and key. */
    public static Map<String, Object> resolve(String component, Map<String, Object> values, TemplateContext context)
            throws TemplatingException {
        List<String> problems = new ArrayList<>();
        @SuppressWarnings("unchecked")
        Map<String, Object> out = (Map<String, Object>) walk(component, "", values, context, problems);
        if (!problems.isEmpty()) {
            throw new TemplatingException(problems);
        }
        return out;
    }

    /** One scalar resolved, for infrastructure properties. */
    public static Object resolveValue(String component, String key, Object value, TemplateContext context)
            throws TemplatingException {
        List<String> problems = new ArrayList<>();
        Object out = walk(component, key, value, context, problems);
        if (!problems.isEmpty()) {
            throw new TemplatingException(problems);
        }
        return out;
    }

    private static Object walk(String component, String key, Object value, TemplateContext context, List<String> problems) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k),
                    walk(component, key.isEmpty() ? String.valueOf(k) : key + "." + k, v, context, problems)));
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                out.add(walk(component, key + "[" + i + "]", list.get(i), context, problems));
            }
            return out;
        }
        if (value instanceof String s && s.contains("{{")) {
            return string(component, key, s, context, problems);
        }
        return value;
    }

    private static Object string(String component, String key, String s, TemplateContext context, List<String> problems) {
        Matcher whole = EXPRESSION.matcher(s.strip());
        if (whole.matches()) {
            return lookup(component, key, whole.group(1), whole.group(2).substring(1), context, problems);
        }
        Matcher m = EXPRESSION.matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            Object v = lookup(component, key, m.group(1), m.group(2).substring(1), context, problems);
            String text;
            if (v instanceof Map || v instanceof List) {
                problems.add(where(component, key) + m.group(1) + m.group(2) + " is an object or list; "
                        + "it can only stand alone in a value, not inside text");
                text = "";
            } else {
                text = v == null ? "" : String.valueOf(v);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(text));
        }
        m.appendTail(out);
        if (out.length() > MAX_TEXT_CHARS) {
            problems.add(where(component, key) + "resolves to more than " + MAX_TEXT_CHARS + " characters");
        }
        return out.toString();
    }

    private static Object lookup(String component, String key, String root, String path, TemplateContext context,
                                 List<String> problems) {
        String[] parts = path.split("\\.");
        String reference = root + "." + path;
        Object current;
        switch (root) {
            case "deployment" -> {
                if (parts.length == 1 && parts[0].equals("name")) {
                    return context.deploymentName();
                }
                if (parts.length == 1 && parts[0].equals("namespace")) {
                    return context.namespace();
                }
                problems.add(where(component, key) + "unknown reference " + reference
                        + " (deployment has name and namespace)");
                return null;
            }
            case "parameters" -> {
                if (!context.declared().contains(parts[0])) {
                    problems.add(where(component, key) + "unknown reference " + reference
                            + " (no parameter '" + parts[0] + "' in the schema)");
                    return null;
                }
                current = context.parameters().get(parts[0]);
            }
            default -> {
                if (!context.plan().containsKey(parts[0])) {
                    problems.add(where(component, key) + "unknown reference " + reference
                            + " (the plan has no value '" + parts[0] + "')");
                    return null;
                }
                current = context.plan().get(parts[0]);
            }
        }
        for (int i = 1; i < parts.length && current != null; i++) {
            current = current instanceof Map<?, ?> m ? m.get(parts[i]) : null;
        }
        return current;
    }

    private static String where(String component, String key) {
        return "component " + component + ", values key " + (key.isEmpty() ? "(root)" : key) + ": ";
    }
}
