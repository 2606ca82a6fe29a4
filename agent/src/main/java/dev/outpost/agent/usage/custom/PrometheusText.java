package dev.outpost.agent.usage.custom;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads samples from the Prometheus text exposition format (0.0.4, and OpenMetrics text, which reads
 * the same for samples). Values are exact decimals as written; only the named metrics are kept, so a
 * large page costs no more than its scan. A line that does not parse is skipped and counted.
 */
public final class PrometheusText {
    /** Most lines read from one page: a workload printing more is cut off there (and counted). */
    public static final int MAX_LINES = 200_000;

    private PrometheusText() {
    }

    /** One sample: metric name, labels, and its value; {@code value} is empty for NaN and infinities. */
    public record Sample(String name, Map<String, String> labels, BigDecimal value) {

        public Sample {
            labels = Map.copyOf(labels);
        }
    }

    /** The samples of one page, and how many lines could not be read. */
    public record Page(List<Sample> samples, int badLines, boolean cutOff) {

        public Page {
            samples = List.copyOf(samples);
        }
    }

    /** The samples of {@code names} in {@code text}; NaN and infinite values are dropped as bad lines. */
    public static Page read(String text, Set<String> names) {
        List<Sample> samples = new ArrayList<>();
        int bad = 0;
        int lines = 0;
        int start = 0;
        while (start < text.length()) {
            if (++lines > MAX_LINES) {
                return new Page(samples, bad, true);
            }
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = text.length();
            }
            String line = text.substring(start, end).strip();
            start = end + 1;
            if (line.isEmpty() || line.charAt(0) == '#') {
                continue;
            }
            int nameEnd = nameEnd(line);
            if (nameEnd == 0) {
                bad++;
                continue;
            }
            if (!names.contains(line.substring(0, nameEnd))) {
                continue;
            }
            Sample sample = sample(line, nameEnd);
            if (sample == null) {
                bad++;
            } else {
                samples.add(sample);
            }
        }
        return new Page(samples, bad, false);
    }

    private static int nameEnd(String line) {
        int i = 0;
        while (i < line.length()) {
            char c = line.charAt(i);
            boolean ok = c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                    || (i > 0 && c >= '0' && c <= '9');
            if (!ok) {
                break;
            }
            i++;
        }
        return i;
    }

    private static Sample sample(String line, int nameEnd) {
        Map<String, String> labels = new TreeMap<>();
        int i = nameEnd;
        if (i < line.length() && line.charAt(i) == '{') {
            i = labels(line, i + 1, labels);
            if (i < 0) {
                return null;
            }
        }
        String rest = line.substring(i).strip();
        if (rest.isEmpty()) {
            return null;
        }
        // "<value>" or "<value> <timestamp>": the timestamp is not needed, the agent scrapes it now
        int space = rest.indexOf(' ');
        String value = space < 0 ? rest : rest.substring(0, space);
        BigDecimal parsed = number(value);
        return parsed == null ? null : new Sample(line.substring(0, nameEnd), labels, parsed);
    }

    /** Reads {@code a="x",b="y"}} from {@code i}; returns the index after '}', or -1 when malformed. */
    private static int labels(String line, int i, Map<String, String> labels) {
        while (true) {
            while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == ',')) {
                i++;
            }
            if (i >= line.length()) {
                return -1;
            }
            if (line.charAt(i) == '}') {
                return i + 1;
            }
            int eq = line.indexOf('=', i);
            if (eq < 0 || eq + 1 >= line.length() || line.charAt(eq + 1) != '"') {
                return -1;
            }
            String name = line.substring(i, eq).strip();
            StringBuilder value = new StringBuilder();
            int j = eq + 2;
            while (true) {
                if (j >= line.length()) {
                    return -1;
                }
                char c = line.charAt(j);
                if (c == '"') {
                    break;
                }
                if (c == '\\' && j + 1 < line.length()) {
                    char next = line.charAt(++j);
                    value.append(next == 'n' ? '\n' : next);
                } else {
                    value.append(c);
                }
                j++;
            }
            if (name.isEmpty()) {
                return -1;
            }
            labels.put(name, value.toString());
            i = j + 1;
        }
    }

    private static BigDecimal number(String text) {
        String lower = text.toLowerCase(java.util.Locale.ROOT);
        if (lower.contains("nan") || lower.contains("inf")) {
            return null;
        }
        try {
            BigDecimal value = new BigDecimal(text);
            // beyond what a usage quantity can hold (21 integer digits): not a usable reading
            if (value.signum() != 0 && value.precision() - value.scale() > 21) {
                return null;
            }
            // "1e-300" is a reading of 0 for any meter; keep the arithmetic small
            return value.scale() > 30 ? value.setScale(30, java.math.RoundingMode.HALF_EVEN) : value;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
