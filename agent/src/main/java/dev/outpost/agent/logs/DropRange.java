package dev.outpost.agent.logs;

/** Lines of one source dropped from the buffer, in a row: how many, and the first and last position. */
record DropRange(long count, LinePosition from, LinePosition through) {

    static DropRange of(LinePosition position) {
        return new DropRange(1, position, position);
    }

    /** This range and the next dropped line (always after it: lines are dropped oldest first). */
    DropRange plus(LinePosition position) {
        return new DropRange(count + 1, from, position);
    }
}
