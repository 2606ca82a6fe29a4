package dev.outpost.agent.usage;

import java.time.Instant;

/** One window of the usage grid, [startMs, endMs) in Unix epoch milliseconds. */
public record UsageWindow(long startMs, long endMs) {

    public UsageWindow {
        if (endMs <= startMs) {
            throw new IllegalArgumentException("window end must be after its start: " + startMs + ".." + endMs);
        }
    }

    /** The window's length in milliseconds. */
    public long millis() {
        return endMs - startMs;
    }

    @Override
    public String toString() {
        return "[" + Instant.ofEpochMilli(startMs) + ", " + Instant.ofEpochMilli(endMs) + ")";
    }
}
