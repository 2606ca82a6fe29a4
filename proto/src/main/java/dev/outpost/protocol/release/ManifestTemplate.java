package dev.outpost.protocol.release;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The release template format: multi-document YAML in which {@code {{ name }}} stands for the value
 * of parameter {@code name}. Deliberately tiny (no logic, no functions) so that the hub can check a
 * deployment's parameters before anything reaches a cluster, and rendering cannot fail half-way.
 */
public final class ManifestTemplate {
    private static final Pattern PLACEHOLDER =
            Pattern.compile("\\{\\{\\s*(" + Parameters.NAME_PATTERN + ")\\s*}}");

    private ManifestTemplate() {
    }

    /** The parameter names a template refers to, in order of first use. */
    public static Set<String> placeholders(String template) {
        Set<String> names = new LinkedHashSet<>();
        Matcher m = PLACEHOLDER.matcher(template);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** Names the template uses that {@code values} lacks, sorted; empty when it can be rendered. */
    public static Set<String> missing(String template, Map<String, String> values) {
        Set<String> missing = new TreeSet<>(placeholders(template));
        missing.removeAll(values.keySet());
        return missing;
    }

    /**
     * Substitutes every placeholder. Values are checked by {@link Parameters#checkValue} so a value
     * cannot break out of the YAML scalar it is placed in by adding lines.
     *
     * @throws TemplateException naming every missing parameter or bad value
     */
    public static String render(String template, Map<String, String> values) {
        Set<String> missing = missing(template, values);
        if (!missing.isEmpty()) {
            throw new TemplateException("no value for parameter(s) " + String.join(", ", missing));
        }
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder(template.length());
        while (m.find()) {
            String name = m.group(1);
            String value = values.get(name);
            Parameters.checkValue(name, value);
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }
}
