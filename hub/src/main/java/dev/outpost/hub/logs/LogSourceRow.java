package dev.outpost.hub.logs;

import dev.outpost.protocol.v1.LogPosition;

/** A source's row as a batch found it (locked): its highest position stored or counted. */
record LogSourceRow(LogPosition position, long lastLineNs) {
}
