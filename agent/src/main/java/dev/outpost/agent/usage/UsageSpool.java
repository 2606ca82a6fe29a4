package dev.outpost.agent.usage;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.outpost.agent.state.DurableFiles;
import dev.outpost.agent.usage.custom.CounterBaseline;
import dev.outpost.protocol.GrpcLimits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Usage records on disk until the hub acknowledges them: one file per batch ({@code <sequence>.json}),
 * each written durably before it is sent, removed only on the hub's ack. Bounded by a size in bytes:
 * a batch that does not fit is not written and counted as dropped, so the oldest usage is kept.
 */
public final class UsageSpool {
    /** Smallest accepted --usage-spool-max-bytes. */
    public static final long MIN_MAX_BYTES = 1L << 20;
    /** A state file larger than this is not read: it was not written by an agent (20,000 baselines take about 3 MB). */
    static final int MAX_STATE_BYTES = 8 * 1024 * 1024;
    /** A batch file larger than this is not read (1000 records take about 350 KB). */
    static final int MAX_BATCH_BYTES = 8 * 1024 * 1024;
    static final String STATE_FILE = "spool-state.json";
    static final String CORRUPT = "corrupt";
    static final String REFUSED = "refused";
    private static final Logger LOG = LoggerFactory.getLogger(UsageSpool.class);
    private static final Pattern BATCH_FILE = Pattern.compile("([0-9]{1,19})\\.json");
    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    private final Path directory;
    private final long maxBytes;
    private final Optional<Path> journal;
    private final String agent;
    /** sequence → what its file holds; only batches written and not yet acknowledged. */
    private final TreeMap<Long, Entry> pending = new TreeMap<>();
    private SpoolState state;
    private long pendingBytes;
    private long pendingRecords;
    private volatile Runnable onNewBatches = () -> { };

    private record Entry(long bytes, int records) {
    }

    /** The custom counters' baselines after a round, and when that round scraped them. */
    public record Counters(Map<String, CounterBaseline> baselines, long scrapedAtMs) {
    }

    /** What one round left in the spool. */
    public record Spooled(int batchesWritten, int recordsWritten, int recordsDropped) {
    }

    private UsageSpool(Path directory, long maxBytes, Optional<Path> journal, String agent) {
        this.directory = directory;
        this.maxBytes = maxBytes;
        this.journal = journal;
        this.agent = agent;
    }

    /**
     * Opens the spool in {@code directory}, reading what an earlier run left: torn temp files are
     * deleted, unreadable batches moved to {@code corrupt/}, the sequence kept above every batch found.
     *
     * @param agent names the agent in log lines
     */
    public static UsageSpool open(Path directory, long maxBytes, Optional<Path> journal, String agent) throws IOException {
        if (maxBytes < MIN_MAX_BYTES) {
            throw new IllegalArgumentException("the usage spool needs at least " + MIN_MAX_BYTES + " bytes");
        }
        UsageSpool spool = new UsageSpool(directory, maxBytes, journal, agent);
        spool.load();
        return spool;
    }

    private void load() throws IOException {
        Files.createDirectories(directory);
        state = readState();
        long highest = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.endsWith(DurableFiles.TEMP_SUFFIX)) {
                    // a write a crash cut short: its batch was never complete, so never sent nor journaled
                    LOG.info("usage spool: deleting {} left by an interrupted write ({})", name, agent);
                    Files.deleteIfExists(file);
                    continue;
                }
                Matcher matcher = BATCH_FILE.matcher(name);
                if (!matcher.matches()) {
                    continue;
                }
                long sequence = Long.parseLong(matcher.group(1));
                try {
                    SpoolBatch batch = readBatch(file);
                    if (batch.sequence() != sequence || batch.records().isEmpty()) {
                        throw new IOException("holds sequence " + batch.sequence() + " with "
                                + batch.records().size() + " records");
                    }
                    add(sequence, Files.size(file), batch.records().size());
                    highest = Math.max(highest, sequence);
                } catch (IOException | RuntimeException e) {
                    moveAside(file, CORRUPT, "unreadable (" + e.getMessage() + ")");
                    highest = Math.max(highest, sequence);
                }
            }
        }
        if (state.nextSequence() <= highest) {
            // batches written after the counter was last saved (or a state file lost): never reuse a number
            state = state.withNextSequence(highest + 1);
            saveState();
        }
        LOG.info("usage spool {}: {} batches ({} records, {} bytes) pending, next sequence {}, {} records dropped so far ({})",
                directory, pending.size(), pendingRecords, pendingBytes, state.nextSequence(),
                state.droppedRecordsTotal(), agent);
    }

    private SpoolState readState() throws IOException {
        Path file = directory.resolve(STATE_FILE);
        if (!Files.exists(file)) {
            return SpoolState.initial();
        }
        // a broken state file must not start the sequence over: fail loudly, the operator decides
        try {
            return JSON.readValue(DurableFiles.readBounded(file, MAX_STATE_BYTES), SpoolState.class);
        } catch (IOException e) {
            throw new IOException("cannot read the usage spool state " + file + " (" + e.getMessage()
                    + "); move it aside to start the spool counters over", e);
        }
    }

    /** Sets what to call after new batches were written (the sender's wake-up). */
    public void onNewBatches(Runnable listener) {
        this.onNewBatches = listener;
    }

    /** The counters as on disk. */
    public synchronized SpoolState state() {
        return state;
    }

    /** The end of the last measured window; empty before the first measurement. */
    public synchronized OptionalLong lastMeasuredWindowEnd() {
        return state.lastMeasuredWindowEndMs() > 0 ? OptionalLong.of(state.lastMeasuredWindowEndMs()) : OptionalLong.empty();
    }

    /**
     * Writes one measurement round: its records in batches of at most 1000, each durably, then the
     * journal lines of those written, then the counters (the round's last window as measured, the
     * dropped records and unmeasured windows added). Only then are the batches offered to the sender.
     */
    public Spooled write(List<SpooledRecord> records, long measuredUpToMs, long unmeasuredWindows) throws IOException {
        return write(records, measuredUpToMs, unmeasuredWindows, null);
    }

    /**
     * As {@link #write(List, long, long)}, and the custom counters' new baselines replace the old ones
     * in the same state write that marks the round measured: a crash before it leaves the round due
     * with the old baselines (measured again, its keys the same), after it the round is done.
     */
    public Spooled write(List<SpooledRecord> records, long measuredUpToMs, long unmeasuredWindows, Counters counters)
            throws IOException {
        Spooled result;
        synchronized (this) {
            int batchCount = (records.size() + GrpcLimits.MAX_USAGE_RECORDS_PER_BATCH - 1) / GrpcLimits.MAX_USAGE_RECORDS_PER_BATCH;
            long first = state.nextSequence();
            // the numbers are taken on disk before any batch uses one: after a crash they are never reused
            state = state.withNextSequence(first + batchCount);
            if (batchCount > 0) {
                saveState();
            }
            int written = 0;
            int dropped = 0;
            int batches = 0;
            List<SpooledRecord> journaled = new ArrayList<>();
            for (int i = 0; i < batchCount; i++) {
                List<SpooledRecord> part = records.subList(i * GrpcLimits.MAX_USAGE_RECORDS_PER_BATCH,
                        Math.min(records.size(), (i + 1) * GrpcLimits.MAX_USAGE_RECORDS_PER_BATCH));
                long sequence = first + i;
                byte[] bytes = JSON.writeValueAsBytes(new SpoolBatch(sequence, part));
                if (pendingBytes + bytes.length > maxBytes) {
                    dropped += part.size();
                    continue;
                }
                DurableFiles.write(file(sequence), bytes);
                add(sequence, bytes.length, part.size());
                written += part.size();
                batches++;
                journaled.addAll(part);
            }
            if (dropped > 0) {
                LOG.warn("usage spool full ({} of {} bytes pending, hub not acknowledging): {} usage records NOT kept, "
                        + "{} dropped in total; the oldest usage is kept ({})", pendingBytes, maxBytes, dropped,
                        state.droppedRecordsTotal() + dropped, agent);
            }
            if (journal.isPresent() && !journaled.isEmpty()) {
                StringBuilder lines = new StringBuilder();
                journaled.forEach(record -> lines.append(record.journalLine()).append('\n'));
                DurableFiles.append(journal.get(), lines.toString().getBytes(StandardCharsets.UTF_8));
            }
            state = new SpoolState(state.nextSequence(), state.droppedRecordsTotal() + dropped,
                    state.unmeasuredWindowsTotal() + unmeasuredWindows,
                    Math.max(state.lastMeasuredWindowEndMs(), measuredUpToMs),
                    counters == null ? state.counterBaselines() : counters.baselines(),
                    counters == null ? state.countersScrapedAtMs() : counters.scrapedAtMs());
            saveState();
            result = new Spooled(batches, written, dropped);
        }
        if (result.batchesWritten() > 0) {
            onNewBatches.run();
        }
        return result;
    }

    /** Sequences of the batches waiting for an ack, oldest first. */
    public synchronized List<Long> pendingSequences() {
        return new ArrayList<>(pending.keySet());
    }

    /** The batch's records; empty when it is no longer pending (acked, or found corrupt and moved aside). */
    public synchronized Optional<SpoolBatch> read(long sequence) {
        if (!pending.containsKey(sequence)) {
            return Optional.empty();
        }
        Path file = file(sequence);
        try {
            return Optional.of(readBatch(file));
        } catch (IOException | RuntimeException e) {
            try {
                moveAside(file, CORRUPT, "unreadable (" + e.getMessage() + ")");
            } catch (IOException moveFailed) {
                LOG.error("usage spool: cannot move unreadable batch {} aside ({}): {}", file, agent, moveFailed.toString());
            }
            remove(sequence);
            return Optional.empty();
        }
    }

    /** The hub has committed the batch: its file goes. */
    public synchronized void acknowledged(long sequence) throws IOException {
        if (!pending.containsKey(sequence)) {
            return; // an ack for a batch sent twice
        }
        Files.deleteIfExists(file(sequence));
        DurableFiles.syncDirectory(directory);
        remove(sequence);
    }

    /** The hub refused the batch as malformed: moved to {@code refused/} for a human, so it blocks nothing. */
    public synchronized void refused(long sequence, String why) throws IOException {
        if (!pending.containsKey(sequence)) {
            return;
        }
        moveAside(file(sequence), REFUSED, "refused by the hub: " + why);
        remove(sequence);
    }

    /** What the spool holds, as reported in every UsageBatch. */
    public synchronized dev.outpost.protocol.v1.SpoolState report() {
        return dev.outpost.protocol.v1.SpoolState.newBuilder().setPendingRecords(pendingRecords)
                .setPendingBytes(pendingBytes).setMaxBytes(maxBytes)
                .setDroppedRecordsTotal(state.droppedRecordsTotal())
                .setUnmeasuredWindowsTotal(state.unmeasuredWindowsTotal()).build();
    }

    private void add(long sequence, long bytes, int records) {
        pending.put(sequence, new Entry(bytes, records));
        pendingBytes += bytes;
        pendingRecords += records;
    }

    private void remove(long sequence) {
        Entry entry = pending.remove(sequence);
        if (entry != null) {
            pendingBytes -= entry.bytes();
            pendingRecords -= entry.records();
        }
    }

    private void moveAside(Path file, String folder, String why) throws IOException {
        Path aside = directory.resolve(folder);
        Files.createDirectories(aside);
        Path target = aside.resolve(file.getFileName());
        Files.move(file, target, StandardCopyOption.REPLACE_EXISTING);
        DurableFiles.syncDirectory(directory);
        LOG.warn("usage spool: batch file {} {}, moved to {} ({})", file.getFileName(), why, target, agent);
    }

    private void saveState() throws IOException {
        DurableFiles.write(directory.resolve(STATE_FILE), JSON.writeValueAsBytes(state));
    }

    private static SpoolBatch readBatch(Path file) throws IOException {
        return JSON.readValue(DurableFiles.readBounded(file, MAX_BATCH_BYTES), SpoolBatch.class);
    }

    private Path file(long sequence) {
        return directory.resolve(sequence + ".json");
    }
}
