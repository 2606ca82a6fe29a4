package dev.outpost.agent.usage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.agent.usage.custom.CounterBaseline;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UsageSpoolTest {
    private static final long MIB = 1L << 20;

    @TempDir
    Path stateDir;

    private Path dir() {
        return stateDir.resolve("usage-spool");
    }

    private UsageSpool open() throws IOException {
        return UsageSpool.open(dir(), MIB, Optional.of(stateDir.resolve("journal.log")), "agent=a1");
    }

    @Test
    void writesBatchesOfAtMostAThousandRecordsThatSurviveARestartUntilAcknowledged() throws IOException {
        UsageSpool spool = open();
        AtomicInteger woken = new AtomicInteger();
        spool.onNewBatches(woken::incrementAndGet);

        UsageSpool.Spooled spooled = spool.write(records(2500, 0), 60_000, 0);

        assertThat(spooled).isEqualTo(new UsageSpool.Spooled(3, 2500, 0));
        assertThat(woken).hasValue(1);
        assertThat(spool.pendingSequences()).containsExactly(1L, 2L, 3L);
        assertThat(spool.read(1).orElseThrow().records()).hasSize(1000);
        assertThat(spool.read(3).orElseThrow().records()).hasSize(500).first().isEqualTo(records(2500, 0).get(2000));
        assertThat(spool.report().getPendingRecords()).isEqualTo(2500);
        assertThat(Files.readAllLines(stateDir.resolve("journal.log"))).hasSize(2500)
                .first().isEqualTo(records(1, 0).getFirst().journalLine());

        spool.acknowledged(1);
        UsageSpool reopened = open();
        assertThat(reopened.pendingSequences()).containsExactly(2L, 3L);
        assertThat(reopened.read(2)).contains(spool.read(2).orElseThrow());
        assertThat(reopened.lastMeasuredWindowEnd()).hasValue(60_000);
        assertThat(reopened.report().getPendingRecords()).isEqualTo(1500);
        assertThat(Files.exists(dir().resolve("1.json"))).isFalse();
    }

    @Test
    void theSequenceNeverGoesBackEvenAfterEveryBatchWasAcknowledged() throws IOException {
        UsageSpool spool = open();
        spool.write(records(4, 0), 60_000, 0);
        spool.write(records(4, 1), 120_000, 0);
        spool.acknowledged(1);
        spool.acknowledged(2);

        UsageSpool reopened = open();
        assertThat(reopened.pendingSequences()).isEmpty();
        reopened.write(records(4, 2), 180_000, 0);
        assertThat(reopened.pendingSequences()).containsExactly(3L);
    }

    @Test
    void aBatchFoundAboveTheSavedCounterKeepsTheSequenceAboveIt() throws IOException {
        UsageSpool spool = open();
        spool.write(records(4, 0), 60_000, 0);
        // as if the counter had been saved before batch 7 was written by a newer run
        Files.copy(dir().resolve("1.json"), dir().resolve("7.json"));
        Files.writeString(dir().resolve("7.json"), Files.readString(dir().resolve("7.json")).replace("\"sequence\":1", "\"sequence\":7"));

        UsageSpool reopened = open();
        reopened.write(records(4, 1), 120_000, 0);
        assertThat(reopened.pendingSequences()).containsExactly(1L, 7L, 8L);
    }

    @Test
    void aFullSpoolKeepsTheOldestUsageAndCountsWhatItDropped() throws IOException {
        UsageSpool spool = open();
        int written = 0;
        int dropped = 0;
        for (int round = 0; dropped == 0; round++) {
            UsageSpool.Spooled spooled = spool.write(records(1000, round), 60_000L * (round + 1), 0);
            written += spooled.recordsWritten();
            dropped += spooled.recordsDropped();
        }
        assertThat(dropped).isEqualTo(1000);
        assertThat(spool.report().getPendingBytes()).isLessThanOrEqualTo(MIB);
        assertThat(spool.report().getDroppedRecordsTotal()).isEqualTo(1000);
        assertThat(spool.report().getMaxBytes()).isEqualTo(MIB);
        // the oldest batch is still there; the journal holds only what was kept
        assertThat(spool.pendingSequences()).first().isEqualTo(1L);
        assertThat(Files.readAllLines(stateDir.resolve("journal.log"))).hasSize(written);

        UsageSpool reopened = open();
        assertThat(reopened.report().getDroppedRecordsTotal()).isEqualTo(1000);
        assertThat(reopened.report().getPendingRecords()).isEqualTo(written);
    }

    @Test
    void aTornTempFileIsDeletedAndACorruptBatchMovedAsideNotDeleted() throws IOException {
        UsageSpool spool = open();
        spool.write(records(4, 0), 60_000, 0);
        spool.write(records(4, 1), 120_000, 0);
        Files.writeString(dir().resolve("3.json.tmp"), "{\"sequence\":3,\"rec");
        Files.writeString(dir().resolve("2.json"), "{ not json");

        UsageSpool reopened = open();

        assertThat(reopened.pendingSequences()).containsExactly(1L);
        assertThat(dir().resolve("3.json.tmp")).doesNotExist();
        assertThat(dir().resolve("corrupt").resolve("2.json")).hasContent("{ not json");
        reopened.write(records(4, 2), 180_000, 0);
        assertThat(reopened.pendingSequences()).containsExactly(1L, 3L);
    }

    @Test
    void counterBaselinesAreKeptWithTheRoundThatMeasuredThemAndAStateFromBeforeThemStillOpens() throws IOException {
        Files.createDirectories(dir());
        // a state file written before custom meters existed
        Files.writeString(dir().resolve(UsageSpool.STATE_FILE),
                "{\"nextSequence\":7,\"droppedRecordsTotal\":2,\"unmeasuredWindowsTotal\":1,\"lastMeasuredWindowEndMs\":60000}");
        UsageSpool spool = open();
        assertThat(spool.state().counterBaselines()).isEmpty();
        assertThat(spool.state().nextSequence()).isEqualTo(7);

        Map<String, CounterBaseline> baselines = Map.of("dep requests.served uid-a", CounterBaseline.of(new BigDecimal("1250.5"), 1));
        spool.write(records(2, 1), 120_000, 0, new UsageSpool.Counters(baselines, 121_500));

        SpoolState reopened = open().state();
        assertThat(reopened.counterBaselines()).isEqualTo(baselines);
        assertThat(reopened.countersScrapedAtMs()).isEqualTo(121_500);
        assertThat(reopened.lastMeasuredWindowEndMs()).isEqualTo(120_000);
        assertThat(reopened.droppedRecordsTotal()).isEqualTo(2);
    }

    @Test
    void aRefusedBatchIsMovedAside() throws IOException {
        UsageSpool spool = open();
        spool.write(records(4, 0), 60_000, 0);
        spool.refused(1, "INVALID_ARGUMENT: too many records");
        assertThat(spool.pendingSequences()).isEmpty();
        assertThat(dir().resolve("refused").resolve("1.json")).exists();
    }

    @Test
    void unmeasuredWindowsAreCountedAndAnEmptyRoundStillMovesTheLastMeasuredWindow() throws IOException {
        UsageSpool spool = open();
        spool.write(List.of(), 60_000, 2);
        assertThat(spool.pendingSequences()).isEmpty();
        UsageSpool reopened = open();
        assertThat(reopened.state().unmeasuredWindowsTotal()).isEqualTo(2);
        assertThat(reopened.report().getUnmeasuredWindowsTotal()).as("sent to the hub in every batch").isEqualTo(2);
        assertThat(reopened.lastMeasuredWindowEnd()).hasValue(60_000);
    }

    private static List<SpooledRecord> records(int count, int window) {
        List<SpooledRecord> records = new ArrayList<>();
        IntStream.range(0, count).forEach(i -> records.add(new SpooledRecord("u1-" + window + "-" + i, "dep-" + i,
                "cpu.requested.core-seconds", "core-second", window * 60_000L, (window + 1) * 60_000L, "1.5")));
        return records;
    }
}
