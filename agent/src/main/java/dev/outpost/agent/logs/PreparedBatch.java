package dev.outpost.agent.logs;

import dev.outpost.protocol.v1.LogBatch;
import dev.outpost.protocol.v1.LogBufferState;
import dev.outpost.protocol.v1.SourceLogs;
import java.util.List;
import java.util.Map;

/**
 * A batch taken from the buffer and not acknowledged yet: its sources' lines and drops, the last
 * position of each source in it (what an ack makes acknowledged), and the buffer room its lines take.
 * Sent again, unchanged but for the sequence, on every new stream until acknowledged.
 */
final class PreparedBatch {
    final List<SourceLogs> sources;
    final Map<String, LinePosition> through;
    final int lines;
    final long cost;

    PreparedBatch(List<SourceLogs> sources, Map<String, LinePosition> through, int lines, long cost) {
        this.sources = List.copyOf(sources);
        this.through = Map.copyOf(through);
        this.lines = lines;
        this.cost = cost;
    }

    LogBatch toProto(long sequence, LogBufferState buffer) {
        return LogBatch.newBuilder().setSequence(sequence).addAllSources(sources).setBuffer(buffer).build();
    }
}
