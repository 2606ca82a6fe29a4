package dev.outpost.agent.usage;

/**
 * The spool's counters, kept on disk: the next batch sequence (never goes back), the records dropped
 * because the spool was full, the deployment windows that could not be read, and the end of the last
 * measured window (0 before the first).
 */
public record SpoolState(long nextSequence, long droppedRecordsTotal, long unmeasuredWindowsTotal,
        long lastMeasuredWindowEndMs) {

    /** The state of a spool that never held anything. */
    public static SpoolState initial() {
        return new SpoolState(1, 0, 0, 0);
    }
}
