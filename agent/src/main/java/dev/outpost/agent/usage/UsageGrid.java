package dev.outpost.agent.usage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The grid of usage windows: window k is [k·interval, (k+1)·interval) in epoch milliseconds. Keys are
 * derived from grid windows, so measuring a window again (after a crash) yields the same keys.
 */
public final class UsageGrid {
    /** Shortest accepted interval. */
    public static final Duration MIN_INTERVAL = Duration.ofSeconds(1);
    /** Longest accepted interval. */
    public static final Duration MAX_INTERVAL = Duration.ofHours(1);

    private final long intervalMs;

    public UsageGrid(Duration interval) {
        String problem = problem(interval);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        this.intervalMs = interval.toMillis();
    }

    /**
     * Why {@code interval} cannot be a usage interval, or null when it can: 1s to 1h, whole
     * milliseconds, dividing an hour evenly (so windows line up across agents and restarts).
     */
    public static String problem(Duration interval) {
        if (interval.compareTo(MIN_INTERVAL) < 0 || interval.compareTo(MAX_INTERVAL) > 0) {
            return "--usage-interval must be from 1s to 1h, got " + interval.toMillis() + "ms";
        }
        if (Duration.ofHours(1).toMillis() % interval.toMillis() != 0 || interval.toNanos() % 1_000_000 != 0) {
            return "--usage-interval must divide 1 hour evenly (e.g. 10s, 15s, 30s, 1m, 5m, 15m), got "
                    + interval.toMillis() + "ms";
        }
        return null;
    }

    public long intervalMs() {
        return intervalMs;
    }

    /** The end of the latest window that has ended by {@code nowMs}. */
    public long lastEndedWindowEnd(long nowMs) {
        return Math.floorDiv(nowMs, intervalMs) * intervalMs;
    }

    /** When the window running at {@code nowMs} ends. */
    public long nextWindowEnd(long nowMs) {
        return lastEndedWindowEnd(nowMs) + intervalMs;
    }

    /**
     * The windows to measure at {@code nowMs}, oldest first: those ended after {@code lastMeasuredEndMs}
     * and within {@code catchUp} of now, always including the latest ended one unless it was measured.
     * Without a previous measurement (first start) only the latest ended window is measured: the agent
     * cannot know how long before it was already running.
     */
    public List<UsageWindow> due(OptionalLong lastMeasuredEndMs, long nowMs, Duration catchUp) {
        long latestEnd = lastEndedWindowEnd(nowMs);
        long oldestEnd = latestEnd - Math.max(0, (catchUp.toMillis() / intervalMs) - 1) * intervalMs;
        if (lastMeasuredEndMs.isEmpty()) {
            oldestEnd = latestEnd;
        } else {
            // the next grid end after it, also when the interval changed since (the old end may sit off this grid)
            oldestEnd = Math.max(oldestEnd, lastEndedWindowEnd(lastMeasuredEndMs.getAsLong()) + intervalMs);
        }
        List<UsageWindow> windows = new ArrayList<>();
        for (long end = oldestEnd; end <= latestEnd; end += intervalMs) {
            windows.add(new UsageWindow(end - intervalMs, end));
        }
        return windows;
    }
}
