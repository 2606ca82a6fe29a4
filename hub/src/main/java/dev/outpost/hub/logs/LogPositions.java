package dev.outpost.hub.logs;

import dev.outpost.protocol.v1.LogPosition;
import java.util.Comparator;

/** The order of positions in a source: by time, then by ordinal. */
final class LogPositions {
    static final Comparator<LogPosition> ORDER = Comparator.comparingLong(LogPosition::getTimeUnixNanos)
            .thenComparingInt(LogPosition::getOrdinal);
    /** Below every real position: what a source's row starts with. */
    static final LogPosition NONE = LogPosition.newBuilder().setTimeUnixNanos(0).setOrdinal(0).build();

    private LogPositions() {
    }

    static boolean after(LogPosition a, LogPosition b) {
        return ORDER.compare(a, b) > 0;
    }

    static LogPosition max(LogPosition a, LogPosition b) {
        return after(a, b) ? a : b;
    }

    static LogPosition of(long timeNs, int ordinal) {
        return LogPosition.newBuilder().setTimeUnixNanos(timeNs).setOrdinal(ordinal).build();
    }

    static String describe(LogPosition p) {
        return p.getTimeUnixNanos() + "/" + p.getOrdinal();
    }
}
