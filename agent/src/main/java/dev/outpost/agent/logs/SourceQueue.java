package dev.outpost.agent.logs;

import java.util.ArrayDeque;

/**
 * The buffer's part for one source. Its unsent lines, in position order: first replay lines (at or
 * before the sent position, perhaps already at the hub, never dropped), then at most one range of
 * dropped lines, then fresh lines (dropped oldest first, which only ever extends that range).
 */
final class SourceQueue {
    /** One buffered line and what it costs the buffer. */
    record Entry(ParsedLine line, long cost, long arrival) {
    }

    final FollowedSource source;
    final ArrayDeque<Entry> replay = new ArrayDeque<>();
    final ArrayDeque<Entry> fresh = new ArrayDeque<>();
    LinePosition acked;
    LinePosition sent;
    /** The last line read in this process: a line at or before it was buffered already. */
    LinePosition lastRead;
    DropRange drop;
    boolean followed = true;
    /** Batches holding this source that the hub has not acknowledged yet. */
    int inFlight;

    SourceQueue(FollowedSource source, LinePosition acked, LinePosition sent) {
        this.source = source;
        this.acked = acked;
        this.sent = sent;
    }

    boolean hasPending() {
        return !replay.isEmpty() || drop != null || !fresh.isEmpty();
    }

    /** Nothing left to send or to wait for, and no one reading: the source can be forgotten. */
    boolean forgettable() {
        return !followed && !hasPending() && inFlight == 0;
    }

    void dropped(LinePosition position) {
        drop = drop == null ? DropRange.of(position) : drop.plus(position);
    }

    StoredSource stored(LinePosition sentNow) {
        return new StoredSource(source, acked, sentNow);
    }
}
