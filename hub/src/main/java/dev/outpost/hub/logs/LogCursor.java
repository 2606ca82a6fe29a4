package dev.outpost.hub.logs;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a page of lines ends: the last line's time and id and the page's order (a cursor of one order
 * cannot continue the other), opaque to clients.
 */
public record LogCursor(LogOrder order, long timeNs, long id) {
    private static final Pattern FORM = Pattern.compile("l1:(newest|oldest):(-?[0-9]{1,19}):([0-9]{1,19})");
    /** Longest cursor text accepted. */
    static final int MAX_CHARS = 100;

    /** The cursor's text for the nextCursor field. */
    public String encode() {
        String plain = "l1:" + order.wireName() + ":" + timeNs + ":" + id;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    /** The cursor a client sent back, or empty when it is not one this hub issued. */
    public static Optional<LogCursor> decode(String text) {
        if (text == null || text.isEmpty() || text.length() > MAX_CHARS) {
            return Optional.empty();
        }
        String plain;
        try {
            plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        Matcher m = FORM.matcher(plain);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new LogCursor(LogOrder.parse(m.group(1)).orElseThrow(), Long.parseLong(m.group(2)),
                    Long.parseLong(m.group(3))));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
