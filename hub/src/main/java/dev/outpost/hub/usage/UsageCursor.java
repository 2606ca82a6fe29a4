package dev.outpost.hub.usage;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Where a page of raw records ends: the last record's window start and id, opaque to clients. */
public record UsageCursor(Instant windowStart, long id) {
    private static final Pattern FORM = Pattern.compile("r1:(-?[0-9]{1,12}):([0-9]{1,9}):([0-9]{1,19})");
    /** Longest cursor text accepted. */
    static final int MAX_CHARS = 100;

    /** The cursor's text for the nextCursor field. */
    public String encode() {
        String plain = "r1:" + windowStart.getEpochSecond() + ":" + windowStart.getNano() + ":" + id;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    /** The cursor a client sent back, or empty when it is not one this hub issued. */
    public static Optional<UsageCursor> decode(String text) {
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
            return Optional.of(new UsageCursor(Instant.ofEpochSecond(Long.parseLong(m.group(1)),
                    Long.parseLong(m.group(2))), Long.parseLong(m.group(3))));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
