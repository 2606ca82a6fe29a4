package dev.outpost.agent.usage;

import dev.outpost.agent.usage.custom.CounterBaseline;
import java.util.Map;
import java.util.TreeMap;

/**
 * The spool's counters, kept on disk: the next batch sequence (never goes back), the records dropped
 * because the spool was full, the deployment windows that could not be read, the end of the last
 * measured window (0 before the first), and the custom counters' baselines with when they were scraped
 * (written in the same file write as the round's end, so a round is billed once).
 */
public record SpoolState(long nextSequence, long droppedRecordsTotal, long unmeasuredWindowsTotal,
        long lastMeasuredWindowEndMs, Map<String, CounterBaseline> counterBaselines, long countersScrapedAtMs) {

    public SpoolState {
        // a state file from before custom meters has neither field
        counterBaselines = counterBaselines == null ? Map.of() : new TreeMap<>(counterBaselines);
    }

    /** The state of a spool that never held anything. */
    public static SpoolState initial() {
        return new SpoolState(1, 0, 0, 0, Map.of(), 0);
    }

    /** This state with {@code nextSequence} instead. */
    SpoolState withNextSequence(long next) {
        return new SpoolState(next, droppedRecordsTotal, unmeasuredWindowsTotal, lastMeasuredWindowEndMs,
                counterBaselines, countersScrapedAtMs);
    }
}
