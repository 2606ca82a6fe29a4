package dev.outpost.agent.logs;

import dev.outpost.protocol.v1.LogBufferState;
import dev.outpost.protocol.v1.LogLine;
import dev.outpost.protocol.v1.LogStream;
import dev.outpost.protocol.v1.SourceLogs;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's log lines between reading and the hub's ack, bounded by bytes. When a line does not
 * fit, the oldest unsent fresh lines (of any source) are dropped and counted per source with their
 * positions, for the next batch of that source to report. Replay lines (at or before a source's sent
 * position: the hub may have them) are never dropped; a replay line that does not fit waits for an
 * ack to free room. Every batch's sent positions are on disk before the batch is handed out.
 */
public final class LogBuffer {
    /** What a buffered line costs beyond its text: object headers, position, queue slots. */
    static final int LINE_OVERHEAD_BYTES = 64;
    private static final Logger LOG = LoggerFactory.getLogger(LogBuffer.class);

    private final long maxBytes;
    private final LogPositionStore store;
    private final String agent;
    private final Map<String, SourceQueue> queues = new LinkedHashMap<>();
    /** Sources from the positions file that nobody follows (yet): kept until discovery says their pod is gone. */
    private final Map<String, StoredSource> storedOnly;
    private final ArrayDeque<PreparedBatch> unacked = new ArrayDeque<>();
    private long bufferedBytes;
    private long bufferedLines;
    private long droppedSinceStart;
    private long arrivals;
    private int rotation;
    private boolean closed;

    /** @param agent names the agent in log lines */
    public LogBuffer(long maxBytes, LogPositionStore store, String agent) {
        this.maxBytes = maxBytes;
        this.store = store;
        this.agent = agent;
        this.storedOnly = new LinkedHashMap<>(store.load());
    }

    /**
     * Starts buffering a source and says where to read it from: after the last line read in this
     * process, else after its acknowledged position (null: from the start of its log).
     */
    public synchronized Optional<LinePosition> follow(FollowedSource source) {
        SourceQueue queue = queues.get(source.key());
        if (queue == null) {
            StoredSource stored = storedOnly.remove(source.key());
            queue = stored == null ? new SourceQueue(source, null, null)
                    : new SourceQueue(source, stored.acked(), stored.sent());
            queues.put(source.key(), queue);
        }
        queue.followed = true;
        return Optional.ofNullable(LinePosition.max(queue.lastRead, queue.acked));
    }

    /** The source's pod is gone: lines already read are still sent; the source is forgotten once acknowledged. */
    public synchronized void unfollow(String key) {
        SourceQueue queue = queues.get(key);
        if (queue != null) {
            queue.followed = false;
            if (forgetDone()) {
                saveQuietly();
            }
        }
        notifyAll();
    }

    /** Forgets positions of sources read before a restart whose pods are gone now (not among {@code current}). */
    public synchronized void retainStored(Set<String> current) {
        if (storedOnly.keySet().retainAll(current)) {
            saveQuietly();
        }
    }

    /**
     * Buffers a line of a followed source (lines at or before its last read one are ignored), making
     * room as described above. Blocks only for a replay line while the buffer is full of lines it may
     * not drop.
     */
    public void add(FollowedSource source, ParsedLine line) throws InterruptedException {
        long cost = line.textBytes() + LINE_OVERHEAD_BYTES;
        synchronized (this) {
            while (true) {
                SourceQueue queue = queues.get(source.key());
                if (closed || queue == null || !queue.followed || line.position().atOrBefore(queue.lastRead)) {
                    return;
                }
                boolean replay = line.position().atOrBefore(queue.sent);
                if (bufferedBytes + cost <= maxBytes) {
                    (replay ? queue.replay : queue.fresh).add(new SourceQueue.Entry(line, cost, arrivals++));
                    queue.lastRead = line.position();
                    bufferedBytes += cost;
                    bufferedLines++;
                    return;
                }
                if (dropOldestFresh()) {
                    continue;
                }
                if (!replay) {
                    // nothing older may go, so this line goes: it is the oldest fresh line there is
                    queue.dropped(line.position());
                    queue.lastRead = line.position();
                    droppedSinceStart++;
                    return;
                }
                wait();
            }
        }
    }

    private boolean dropOldestFresh() {
        SourceQueue oldest = null;
        for (SourceQueue queue : queues.values()) {
            if (!queue.fresh.isEmpty() && (oldest == null
                    || queue.fresh.peekFirst().arrival() < oldest.fresh.peekFirst().arrival())) {
                oldest = queue;
            }
        }
        if (oldest == null) {
            return false;
        }
        SourceQueue.Entry entry = oldest.fresh.pollFirst();
        oldest.dropped(entry.line().position());
        bufferedBytes -= entry.cost();
        bufferedLines--;
        droppedSinceStart++;
        return true;
    }

    /** Whether a batch could be taken now. */
    public synchronized boolean hasPending() {
        return queues.values().stream().anyMatch(SourceQueue::hasPending);
    }

    /**
     * The next batch, at most {@code maxLines} lines and {@code maxTextBytes} of text, sources taken in
     * turn so a busy one cannot starve the others; its sent positions are written to disk first.
     * Empty when nothing is pending.
     *
     * @throws IOException the positions could not be written: nothing was taken, try again later
     */
    public synchronized Optional<PreparedBatch> nextBatch(int maxLines, int maxTextBytes) throws IOException {
        List<SourceQueue> order = new ArrayList<>(queues.values().stream().filter(SourceQueue::hasPending).toList());
        if (order.isEmpty()) {
            return Optional.empty();
        }
        java.util.Collections.rotate(order, -(rotation++ % order.size()));
        record Plan(SourceQueue queue, int replay, boolean drop, int fresh, LinePosition through) {
        }
        List<Plan> plans = new ArrayList<>();
        int lines = 0;
        long textBytes = 0;
        boolean full = false;
        for (SourceQueue queue : order) {
            int replay = 0;
            int fresh = 0;
            boolean drop = false;
            LinePosition through = null;
            for (SourceQueue.Entry entry : queue.replay) {
                if (lines >= maxLines || textBytes + entry.line().textBytes() > maxTextBytes) {
                    full = true;
                    break;
                }
                replay++;
                lines++;
                textBytes += entry.line().textBytes();
                through = entry.line().position();
            }
            // a drop must come before the batch's first line of its source: after replay lines it waits a batch
            if (!full && replay == queue.replay.size() && (queue.drop == null || replay == 0)) {
                if (queue.drop != null) {
                    drop = true;
                    through = queue.drop.through();
                }
                for (SourceQueue.Entry entry : queue.fresh) {
                    if (lines >= maxLines || textBytes + entry.line().textBytes() > maxTextBytes) {
                        full = true;
                        break;
                    }
                    fresh++;
                    lines++;
                    textBytes += entry.line().textBytes();
                    through = entry.line().position();
                }
            }
            if (replay > 0 || drop || fresh > 0) {
                plans.add(new Plan(queue, replay, drop, fresh, through));
            }
            if (full) {
                break;
            }
        }
        if (plans.isEmpty()) {
            return Optional.empty();
        }
        Map<String, LinePosition> sentNow = new HashMap<>();
        plans.forEach(plan -> sentNow.put(plan.queue().source.key(), LinePosition.max(plan.queue().sent, plan.through())));
        store.save(snapshot(sentNow)); // before anything is taken: on failure the buffer is as it was

        List<SourceLogs> sources = new ArrayList<>();
        Map<String, LinePosition> through = new HashMap<>();
        long cost = 0;
        for (Plan plan : plans) {
            SourceQueue queue = plan.queue();
            SourceLogs.Builder logs = SourceLogs.newBuilder().setSource(queue.source.toProto());
            if (plan.drop()) {
                logs.setDroppedLines(queue.drop.count()).setDroppedFrom(queue.drop.from().toProto())
                        .setDroppedThrough(queue.drop.through().toProto());
                queue.drop = null;
            }
            cost += take(queue.replay, plan.replay(), logs) + take(queue.fresh, plan.fresh(), logs);
            queue.sent = sentNow.get(queue.source.key());
            queue.inFlight++;
            through.put(queue.source.key(), plan.through());
            sources.add(logs.build());
        }
        PreparedBatch batch = new PreparedBatch(sources, through, lines, cost);
        unacked.add(batch);
        return Optional.of(batch);
    }

    private static long take(ArrayDeque<SourceQueue.Entry> entries, int count, SourceLogs.Builder logs) {
        long cost = 0;
        for (int i = 0; i < count; i++) {
            SourceQueue.Entry entry = entries.pollFirst();
            cost += entry.cost();
            ParsedLine line = entry.line();
            logs.addLines(LogLine.newBuilder().setPosition(line.position().toProto())
                    .setStream(LogStream.LOG_STREAM_COMBINED).setText(line.text()).setTruncated(line.truncated()));
        }
        return cost;
    }

    /** Batches handed out and not acknowledged, oldest first: what a new stream sends before anything new. */
    public synchronized List<PreparedBatch> unacknowledged() {
        return List.copyOf(unacked);
    }

    /** The hub committed the batch: its positions become acknowledged (on disk) and its lines leave the buffer. */
    public synchronized void acknowledged(PreparedBatch batch) {
        if (!unacked.remove(batch)) {
            return;
        }
        release(batch);
        saveQuietly();
        notifyAll();
    }

    /**
     * The hub refused the batch as malformed. Its lines can never be stored, so they become drops:
     * the batch is replaced by one reporting them as dropped (counted, in place, so order holds).
     * A refused batch of drops only is given up (its drops are lost; logged).
     */
    public synchronized void refused(PreparedBatch batch, String why) {
        if (!unacked.contains(batch)) {
            return;
        }
        List<PreparedBatch> all = new ArrayList<>(unacked);
        int index = all.indexOf(batch);
        if (batch.lines == 0) {
            LOG.error("log batch of drops only refused by the hub ({}): {}; {} sources' drop counts are lost",
                    agent, why, batch.sources.size());
            all.remove(index);
            release(batch);
        } else {
            List<SourceLogs> dropsOnly = batch.sources.stream().map(LogBuffer::asDrops).toList();
            LOG.error("log batch refused by the hub ({}): {}; its {} lines are reported as dropped", agent, why, batch.lines);
            droppedSinceStart += batch.lines;
            bufferedBytes -= batch.cost;
            bufferedLines -= batch.lines;
            all.set(index, new PreparedBatch(dropsOnly, batch.through, 0, 0));
        }
        unacked.clear();
        unacked.addAll(all);
        saveQuietly();
        notifyAll();
    }

    private static SourceLogs asDrops(SourceLogs logs) {
        if (logs.getLinesCount() == 0) {
            return logs;
        }
        LinePosition from = logs.getDroppedLines() > 0 ? LinePosition.of(logs.getDroppedFrom())
                : LinePosition.of(logs.getLines(0).getPosition());
        LinePosition through = LinePosition.of(logs.getLines(logs.getLinesCount() - 1).getPosition());
        return SourceLogs.newBuilder().setSource(logs.getSource())
                .setDroppedLines(logs.getDroppedLines() + logs.getLinesCount())
                .setDroppedFrom(from.toProto()).setDroppedThrough(through.toProto()).build();
    }

    private void release(PreparedBatch batch) {
        batch.through.forEach((key, position) -> {
            SourceQueue queue = queues.get(key);
            if (queue != null) {
                queue.acked = LinePosition.max(queue.acked, position);
                queue.inFlight--;
            }
        });
        bufferedBytes -= batch.cost;
        bufferedLines -= batch.lines;
        forgetDone();
    }

    /** Forgets sources nobody reads that have nothing left to send or to wait for; true when one was. */
    private boolean forgetDone() {
        boolean forgot = false;
        for (Iterator<SourceQueue> it = queues.values().iterator(); it.hasNext(); ) {
            if (it.next().forgettable()) {
                it.remove();
                forgot = true;
            }
        }
        return forgot;
    }

    /** What the buffer holds and lost, for a batch to carry. */
    public synchronized LogBufferState state() {
        return LogBufferState.newBuilder().setBufferedLines(bufferedLines).setBufferedBytes(bufferedBytes)
                .setMaxBytes(maxBytes).setDroppedLinesSinceStart(droppedSinceStart)
                .setFollowedSources((int) queues.values().stream().filter(queue -> queue.followed).count()).build();
    }

    /** Positions as they would be stored now, for tests and diagnostics. */
    public synchronized Map<String, StoredSource> positions() {
        Map<String, StoredSource> byKey = new LinkedHashMap<>();
        snapshot(Map.of()).forEach(stored -> byKey.put(stored.source().key(), stored));
        return byKey;
    }

    /** Wakes waiting readers and refuses further lines. */
    public synchronized void close() {
        closed = true;
        notifyAll();
    }

    private List<StoredSource> snapshot(Map<String, LinePosition> sentNow) {
        List<StoredSource> all = new ArrayList<>(storedOnly.values());
        queues.values().forEach(queue -> all.add(queue.stored(sentNow.getOrDefault(queue.source.key(), queue.sent))));
        return all;
    }

    private void saveQuietly() {
        try {
            store.save(snapshot(Map.of()));
        } catch (IOException e) {
            // positions on disk lag behind: after a restart more lines are sent again, which the hub dedups
            LOG.warn("cannot write log positions ({}): {}", agent, e.toString());
        }
    }
}
