package dev.outpost.agent.logs;

import dev.outpost.protocol.GrpcLimits;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Turns a line of the Kubernetes log API (with timestamps) into a {@link ParsedLine}: the leading
 * RFC 3339 timestamp becomes the position, the rest is decoded (invalid UTF-8 replaced), masked and
 * cut to {@link GrpcLimits#MAX_LOG_LINE_BYTES} at a character boundary.
 */
final class LogLineParser {
    /** Raw bytes kept of one line: room for the timestamp and for masking to shorten a long line. */
    static final int MAX_RAW_LINE_BYTES = 2 * GrpcLimits.MAX_LOG_LINE_BYTES + 64;
    private static final int MAX_TIMESTAMP_CHARS = 40;

    private final Clock clock;

    LogLineParser(Clock clock) {
        this.clock = clock;
    }

    ParsedLine parse(RawLine raw, Ordinals ordinals, SecretMask mask) {
        byte[] bytes = raw.bytes();
        int space = -1;
        for (int i = 0; i < Math.min(raw.length(), MAX_TIMESTAMP_CHARS); i++) {
            if (bytes[i] == ' ') {
                space = i;
                break;
            }
        }
        Long time = space < 0 ? null : parseTime(new String(bytes, 0, space, java.nio.charset.StandardCharsets.US_ASCII));
        int textStart = time == null ? 0 : space + 1;
        if (time == null) {
            // not what the API sends with timestamps; kept, at the source's last time so the order holds
            time = ordinals.lastTime() != Long.MIN_VALUE ? ordinals.lastTime() : nanos(clock.instant());
        }
        LinePosition position = ordinals.position(time);
        String text = mask.mask(Utf8Text.decode(bytes, textStart, raw.length() - textStart));
        Utf8Text.Cut cut = Utf8Text.cut(text, GrpcLimits.MAX_LOG_LINE_BYTES);
        return new ParsedLine(position, cut.text(), cut.truncated() || raw.overflowed(), cut.bytes());
    }

    /** Epoch nanoseconds of an RFC 3339 time ("2026-12-04T06:25:00.123456789Z"), or null. */
    static Long parseTime(String text) {
        try {
            return nanos(OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    static long nanos(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L), instant.getNano());
    }
}
