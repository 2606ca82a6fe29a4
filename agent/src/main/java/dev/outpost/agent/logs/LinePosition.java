package dev.outpost.agent.logs;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.outpost.protocol.v1.LogPosition;

/** Where a line stands in its source: its runtime timestamp, then its index among lines of that exact time. */
public record LinePosition(@JsonProperty("t") long timeUnixNanos, @JsonProperty("o") int ordinal)
        implements Comparable<LinePosition> {

    @Override
    public int compareTo(LinePosition other) {
        int byTime = Long.compare(timeUnixNanos, other.timeUnixNanos);
        return byTime != 0 ? byTime : Integer.compare(ordinal, other.ordinal);
    }

    /** Whether this position is at or before {@code other}; nothing is at or before null. */
    public boolean atOrBefore(LinePosition other) {
        return other != null && compareTo(other) <= 0;
    }

    /** The later of two positions, either of which may be null. */
    public static LinePosition max(LinePosition a, LinePosition b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return a.compareTo(b) >= 0 ? a : b;
    }

    LogPosition toProto() {
        return LogPosition.newBuilder().setTimeUnixNanos(timeUnixNanos).setOrdinal(ordinal).build();
    }

    static LinePosition of(LogPosition position) {
        return new LinePosition(position.getTimeUnixNanos(), position.getOrdinal());
    }
}
