package dev.outpost.hub.packages.render;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns Helm's error and lint messages into the package file they are about. */
final class HelmMessages {
    /**
     * "template: app/templates/x.yaml:3:4: ...", "parse error at (app/templates/x.yaml:5)", "execution error
     * at (app/charts/lib/templates/_h.tpl:2:3)": the chart's name, then the file inside it, then a line.
     */
    private static final Pattern TEMPLATE =
            Pattern.compile("(?:^|[\\s(])[^/\\s:()\"]+/((?:templates|charts)/[^:\\s()\"]+):\\d+");
    /** "[ERROR] templates/x.yaml: ..." */
    private static final Pattern LINT = Pattern.compile("\\[(ERROR|WARNING|INFO)] ([^:\\s]+): (.*)", Pattern.DOTALL);

    private HelmMessages() {
    }

    /** The package file a render error is about: the template it names, or the chart itself. */
    static String fileOf(String chartPath, boolean chartIsDirectory, String message) {
        if (chartIsDirectory && message != null) {
            Matcher m = TEMPLATE.matcher(message);
            if (m.find()) {
                return chartPath + "/" + m.group(1);
            }
        }
        return chartPath;
    }

    /** A lint line's severity, file and text; null when it is not one. */
    static LintLine lint(String chartPath, boolean chartIsDirectory, String line) {
        Matcher m = LINT.matcher(line.strip());
        if (!m.matches()) {
            return null;
        }
        String path = m.group(2);
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        String file = chartIsDirectory && !path.isEmpty() ? chartPath + "/" + path : chartPath;
        String inner = fileOf(chartPath, chartIsDirectory, m.group(3));
        return new LintLine(m.group(1), inner.equals(chartPath) ? file : inner, m.group(3).strip());
    }

    /** One lint finding. */
    record LintLine(String severity, String file, String message) {
    }

    /** Helm's message on one line, without the Go error chain's repetition of the chart path. */
    static String clean(String message) {
        return message == null ? "unknown error" : message.replaceAll("\\s+", " ").strip();
    }
}
