package dev.outpost.agent.logs;

/**
 * Numbers lines of one source that share a timestamp: 0 for the first, 1 for the next. Timestamps
 * of one container only grow, so only the last one needs remembering. One per log connection: a
 * reconnect reads from the start of a second again, and counts that second's lines from 0 again.
 */
final class Ordinals {
    private long lastTime = Long.MIN_VALUE;
    private int next;

    /** The position of a line with this time. */
    LinePosition position(long timeUnixNanos) {
        if (timeUnixNanos != lastTime) {
            lastTime = timeUnixNanos;
            next = 0;
        }
        return new LinePosition(timeUnixNanos, next++);
    }

    /** The time of the last line, for a line without a readable timestamp; MIN_VALUE before any. */
    long lastTime() {
        return lastTime;
    }
}
