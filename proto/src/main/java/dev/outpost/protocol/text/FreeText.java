package dev.outpost.protocol.text;

import java.text.Normalizer;
import java.util.Optional;

/**
 * The one rule for names and short free text that people type or agents report (tenant and
 * environment names, agent versions, platform hints), and the one way to print untrusted text in a
 * log line. Both sides of the protocol use it, so a value the hub accepts is one it can show.
 *
 * <p>Accepted text is NFC-normalized, has no leading or trailing white space and contains no control
 * characters (C0, C1, DEL: no newline can forge a log line), no format characters (zero-width,
 * right-to-left overrides, BOM), no lone surrogates, no unassigned or private-use code points. Its
 * length is counted in code points.
 */
public final class FreeText {
    /** Untrusted text printed in a log line is cut after this many code points. */
    public static final int LOG_MAX_CODE_POINTS = 200;

    private FreeText() {
    }

    /** The NFC form of {@code value}: what the hub stores once {@link #problem} finds nothing wrong. */
    public static String normalize(String value) {
        return Normalizer.normalize(value, Normalizer.Form.NFC);
    }

    /**
     * What is wrong with {@code value} as a name of at most {@code maxCodePoints} code points, in words
     * for an error message ("must not contain control characters (U+000A at position 4)"), or empty when
     * it is acceptable. {@code null} and blank values are reported as required.
     */
    public static Optional<String> problem(String value, int maxCodePoints) {
        if (value == null || value.isBlank()) {
            return Optional.of("is required");
        }
        int length = value.codePointCount(0, value.length());
        if (length > maxCodePoints) {
            return Optional.of("must be at most " + maxCodePoints + " characters (has " + length + ")");
        }
        int position = 0;
        for (int i = 0; i < value.length(); ) {
            int cp = value.codePointAt(i);
            String kind = forbiddenKind(cp);
            if (kind != null) {
                return Optional.of("must not contain " + kind + " (" + codePoint(cp) + " at position " + position + ")");
            }
            i += Character.charCount(cp);
            position++;
        }
        if (Character.isWhitespace(value.codePointAt(0)) || Character.isWhitespace(value.codePointBefore(value.length()))
                || Character.isSpaceChar(value.codePointAt(0))
                || Character.isSpaceChar(value.codePointBefore(value.length()))) {
            return Optional.of("must not start or end with white space");
        }
        return Optional.empty();
    }

    /**
     * {@code value} made safe for one log line: forbidden characters (see the class comment) are shown
     * as {@code \\uXXXX}, backslashes doubled, and anything past {@link #LOG_MAX_CODE_POINTS} cut with
     * "…(N more)". {@code null} prints as {@code null}.
     */
    public static String forLog(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(Math.min(value.length(), LOG_MAX_CODE_POINTS) + 8);
        int printed = 0;
        int i = 0;
        while (i < value.length() && printed < LOG_MAX_CODE_POINTS) {
            int cp = value.codePointAt(i);
            if (cp == '\\') {
                out.append("\\\\");
            } else if (forbiddenKind(cp) != null) {
                out.append(escape(cp));
            } else {
                out.appendCodePoint(cp);
            }
            i += Character.charCount(cp);
            printed++;
        }
        if (i < value.length()) {
            out.append("…(").append(value.codePointCount(i, value.length())).append(" more)");
        }
        return out.toString();
    }

    /** The kind of character {@code cp} is when the rule forbids it, else null. */
    private static String forbiddenKind(int cp) {
        return switch (Character.getType(cp)) {
            case Character.CONTROL -> "control characters";
            case Character.FORMAT -> "invisible format characters";
            case Character.SURROGATE -> "unpaired surrogates";
            case Character.UNASSIGNED -> "unassigned code points";
            case Character.PRIVATE_USE -> "private-use characters";
            case Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> "line separators";
            default -> null;
        };
    }

    private static String codePoint(int cp) {
        return String.format("U+%04X", cp);
    }

    private static String escape(int cp) {
        if (Character.isBmpCodePoint(cp)) {
            return String.format("\\u%04x", cp);
        }
        return String.format("\\u%04x\\u%04x", (int) Character.highSurrogate(cp), (int) Character.lowSurrogate(cp));
    }
}
