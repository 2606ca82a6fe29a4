package dev.outpost.protocol.release;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
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

    /** A line that starts a YAML document: "---" at column 0, alone or followed by a space or tab. */
    private static final Pattern DOCUMENT_START = Pattern.compile("---(?:[ \\t].*)?");

    private ManifestTemplate() {
    }

    /**
     * One YAML document of a multi-document template, as written.
     *
     * @param number 1-based position in the template, counting empty documents as YAML does
     * @param firstLine 1-based line of the template on which {@code text} begins
     * @param text the document's lines, including its "---" line when it has one
     */
    public record Document(int number, int firstLine, String text) {
    }

    /**
     * Splits a template into its documents at "---" lines, so that each can be checked on its own
     * and a syntax error in one does not hide the problems of the next. Numbering follows YAML:
     * comments and blank lines before the first "---" do not make a document of their own, while
     * every "---" starts one (possibly empty). Lines keep their terminators, so
     * {@code firstLine} plus a line within {@code text} is the line in the template.
     */
    public static List<Document> documents(String template) {
        List<Document> documents = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int currentFirstLine = 1;
        boolean currentHasStart = false; // begins with "---" (an explicit document, even if empty)
        boolean currentHasContent = false; // has anything but comments, blank lines and directives
        int line = 0;
        for (String text : linesWithTerminators(template)) {
            line++;
            String bare = text.stripTrailing();
            if (DOCUMENT_START.matcher(bare).matches()) {
                // Comments and directives before the first "---" belong to the document it starts.
                if (currentHasStart || currentHasContent) {
                    documents.add(new Document(documents.size() + 1, currentFirstLine, current.toString()));
                    current.setLength(0);
                    currentFirstLine = line;
                }
                currentHasStart = true;
                currentHasContent = false;
            } else if (!bare.isBlank() && !bare.stripLeading().startsWith("#") && !bare.startsWith("%")) {
                currentHasContent = true;
            }
            current.append(text);
        }
        if (currentHasStart || currentHasContent) {
            documents.add(new Document(documents.size() + 1, currentFirstLine, current.toString()));
        }
        return documents;
    }

    private static List<String> linesWithTerminators(String text) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || (c == '\r' && (i + 1 == text.length() || text.charAt(i + 1) != '\n'))) {
                lines.add(text.substring(start, i + 1));
                start = i + 1;
            }
        }
        if (start < text.length()) {
            lines.add(text.substring(start));
        }
        return lines;
    }

    /**
     * The template with every placeholder replaced by letters of the same length, for checking its
     * structure before any real value is known: lines and columns stay those of the template, so
     * a problem can be pointed at exactly. A run of letters is a plain YAML scalar and a valid
     * DNS name, so names such as "{{ name }}-config" still check out.
     */
    public static String withStandInValues(String template) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder(template.length());
        while (m.find()) {
            m.appendReplacement(out, "x".repeat(m.end() - m.start()));
        }
        m.appendTail(out);
        return out.toString();
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
