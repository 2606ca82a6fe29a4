package dev.outpost.agent.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.protocol.v1.LogLine;
import dev.outpost.protocol.v1.SourceLogs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogBufferTest {
    private static final FollowedSource WEB = new FollowedSource("dep-1", "apps", "web-0", "uid-web", "web");
    private static final FollowedSource DB = new FollowedSource("dep-1", "apps", "db-0", "uid-db", "db");
    /** Each test line: 10 bytes of text plus the per-line overhead. */
    private static final long LINE_COST = 10 + LogBuffer.LINE_OVERHEAD_BYTES;

    @TempDir
    Path stateDir;

    @Test
    void theSentPositionIsOnDiskBeforeTheBatchIsHandedOutAndTheAckedOneAfterTheAck() throws Exception {
        LogBuffer buffer = buffer(1 << 20);
        buffer.follow(WEB);
        for (int i = 1; i <= 3; i++) {
            buffer.add(WEB, line(i));
        }

        PreparedBatch batch = buffer.nextBatch(1000, 1 << 20).orElseThrow();

        assertThat(texts(batch.sources.getFirst())).containsExactly("line-00001", "line-00002", "line-00003");
        StoredSource onDisk = new LogPositionStore(stateDir).load().get(WEB.key());
        assertThat(onDisk.sent()).isEqualTo(pos(3));
        assertThat(onDisk.acked()).isNull();
        assertThat(buffer.state().getBufferedLines()).isEqualTo(3); // still held until the ack

        buffer.acknowledged(batch);

        assertThat(new LogPositionStore(stateDir).load().get(WEB.key()).acked()).isEqualTo(pos(3));
        assertThat(buffer.state().getBufferedLines()).isZero();
        assertThat(buffer.state().getBufferedBytes()).isZero();
        assertThat(buffer.nextBatch(1000, 1 << 20)).isEmpty();
    }

    @Test
    void whenFullTheOldestUnsentLinesGoAndAreReportedWithTheirRangeBeforeTheNextLines() throws Exception {
        LogBuffer buffer = buffer(5 * LINE_COST);
        buffer.follow(WEB);
        for (int i = 1; i <= 8; i++) {
            buffer.add(WEB, line(i));
        }

        assertThat(buffer.state().getDroppedLinesSinceStart()).isEqualTo(3);
        SourceLogs logs = buffer.nextBatch(1000, 1 << 20).orElseThrow().sources.getFirst();
        assertThat(logs.getDroppedLines()).isEqualTo(3);
        assertThat(LinePosition.of(logs.getDroppedFrom())).isEqualTo(pos(1));
        assertThat(LinePosition.of(logs.getDroppedThrough())).isEqualTo(pos(3));
        assertThat(texts(logs)).containsExactly("line-00004", "line-00005", "line-00006", "line-00007", "line-00008");
    }

    @Test
    void theOldestLinesOfAnySourceGoFirst() throws Exception {
        LogBuffer buffer = buffer(3 * LINE_COST);
        buffer.follow(WEB);
        buffer.follow(DB);
        buffer.add(WEB, line(1));
        buffer.add(DB, line(2));
        buffer.add(DB, line(3));
        buffer.add(WEB, line(4)); // no room: web's line 1 is the oldest

        PreparedBatch batch = buffer.nextBatch(1000, 1 << 20).orElseThrow();
        SourceLogs web = of(batch, WEB);
        SourceLogs db = of(batch, DB);
        assertThat(web.getDroppedLines()).isEqualTo(1);
        assertThat(texts(web)).containsExactly("line-00004");
        assertThat(db.getDroppedLines()).isZero();
        assertThat(texts(db)).containsExactly("line-00002", "line-00003");
    }

    @Test
    void linesInFlightAreNeverDroppedAndADropWithoutNewLinesIsSentAlone() throws Exception {
        LogBuffer buffer = buffer(2 * LINE_COST);
        buffer.follow(WEB);
        buffer.add(WEB, line(1));
        buffer.add(WEB, line(2));
        PreparedBatch first = buffer.nextBatch(1000, 1 << 20).orElseThrow();

        buffer.add(WEB, line(3)); // the buffer is full of lines in flight: this one is the one to go
        buffer.add(WEB, line(4));

        PreparedBatch second = buffer.nextBatch(1000, 1 << 20).orElseThrow();
        SourceLogs dropOnly = second.sources.getFirst();
        assertThat(dropOnly.getLinesCount()).isZero();
        assertThat(dropOnly.getDroppedLines()).isEqualTo(2);
        assertThat(LinePosition.of(dropOnly.getDroppedFrom())).isEqualTo(pos(3));
        assertThat(LinePosition.of(dropOnly.getDroppedThrough())).isEqualTo(pos(4));
        assertThat(texts(first.sources.getFirst())).containsExactly("line-00001", "line-00002");
        assertThat(new LogPositionStore(stateDir).load().get(WEB.key()).sent()).isEqualTo(pos(4));
    }

    @Test
    void afterARestartLinesUpToTheSentPositionAreReplayedAndNeverDropped() throws Exception {
        // the last run sent through line 4; only line 1 was acknowledged
        new LogPositionStore(stateDir).save(List.of(new StoredSource(WEB, pos(1), pos(4))));
        LogBuffer buffer = buffer(3 * LINE_COST);

        assertThat(buffer.follow(WEB)).contains(pos(1)); // read again after the acknowledged line
        buffer.add(WEB, line(2));
        buffer.add(WEB, line(3));
        buffer.add(WEB, line(4));
        buffer.add(WEB, line(5)); // full of replay lines: the fresh line goes
        buffer.add(WEB, line(6));

        PreparedBatch replayed = buffer.nextBatch(1000, 1 << 20).orElseThrow();
        assertThat(texts(replayed.sources.getFirst())).containsExactly("line-00002", "line-00003", "line-00004");
        assertThat(replayed.sources.getFirst().getDroppedLines()).isZero(); // the drop is after these lines
        PreparedBatch next = buffer.nextBatch(1000, 1 << 20).orElseThrow();
        assertThat(next.sources.getFirst().getDroppedLines()).isEqualTo(2);
        assertThat(LinePosition.of(next.sources.getFirst().getDroppedFrom())).isEqualTo(pos(5));
    }

    @Test
    void aReplayLineThatDoesNotFitWaitsForAnAck() throws Exception {
        new LogPositionStore(stateDir).save(List.of(new StoredSource(WEB, null, pos(3))));
        LogBuffer buffer = buffer(2 * LINE_COST);
        buffer.follow(WEB);
        buffer.add(WEB, line(1));
        buffer.add(WEB, line(2));
        PreparedBatch batch = buffer.nextBatch(1000, 1 << 20).orElseThrow();

        AtomicBoolean added = new AtomicBoolean();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                buffer.add(WEB, line(3));
                added.set(true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).untilFalse(added);

        buffer.acknowledged(batch);

        await().atMost(Duration.ofSeconds(5)).untilTrue(added);
        reader.join();
        assertThat(buffer.state().getDroppedLinesSinceStart()).isZero();
        assertThat(texts(buffer.nextBatch(1000, 1 << 20).orElseThrow().sources.getFirst())).containsExactly("line-00003");
    }

    @Test
    void batchesKeepToTheLineAndTextLimits() throws Exception {
        LogBuffer buffer = buffer(1 << 20);
        buffer.follow(WEB);
        for (int i = 1; i <= 25; i++) {
            buffer.add(WEB, line(i));
        }

        assertThat(buffer.nextBatch(10, 1 << 20).orElseThrow().lines).isEqualTo(10);
        assertThat(buffer.nextBatch(1000, 55).orElseThrow().lines).isEqualTo(5);
        assertThat(buffer.nextBatch(1000, 1 << 20).orElseThrow().lines).isEqualTo(10);
    }

    @Test
    void aRefusedBatchIsReportedAsDroppedInItsPlace() throws Exception {
        LogBuffer buffer = buffer(1 << 20);
        buffer.follow(WEB);
        buffer.add(WEB, line(1));
        buffer.add(WEB, line(2));
        PreparedBatch refused = buffer.nextBatch(1000, 1 << 20).orElseThrow();

        buffer.refused(refused, "line too long");

        PreparedBatch replacement = buffer.unacknowledged().getFirst();
        SourceLogs drops = replacement.sources.getFirst();
        assertThat(drops.getLinesCount()).isZero();
        assertThat(drops.getDroppedLines()).isEqualTo(2);
        assertThat(LinePosition.of(drops.getDroppedFrom())).isEqualTo(pos(1));
        assertThat(LinePosition.of(drops.getDroppedThrough())).isEqualTo(pos(2));
        assertThat(buffer.state().getDroppedLinesSinceStart()).isEqualTo(2);
        buffer.acknowledged(replacement);
        assertThat(buffer.positions().get(WEB.key()).acked()).isEqualTo(pos(2));
    }

    @Test
    void sourcesWhosePodIsGoneAreForgottenOnceEverythingIsAcknowledged() throws Exception {
        FollowedSource old = new FollowedSource("dep-1", "apps", "old-0", "uid-old", "web");
        new LogPositionStore(stateDir).save(List.of(new StoredSource(old, pos(1), pos(1))));
        LogBuffer buffer = buffer(1 << 20);
        buffer.follow(WEB);
        buffer.add(WEB, line(1));
        PreparedBatch batch = buffer.nextBatch(1000, 1 << 20).orElseThrow();

        buffer.retainStored(java.util.Set.of(WEB.key())); // discovery: the old pod is gone
        buffer.unfollow(WEB.key());
        assertThat(buffer.positions()).containsOnlyKeys(WEB.key()); // its batch is still in flight
        buffer.acknowledged(batch);

        assertThat(buffer.positions()).isEmpty();
        assertThat(new LogPositionStore(stateDir).load()).isEmpty();
    }

    private LogBuffer buffer(long maxBytes) {
        return new LogBuffer(maxBytes, new LogPositionStore(stateDir), "agent=a1");
    }

    private static LinePosition pos(int i) {
        return new LinePosition(1_800_000_000_000_000_000L + i * 1_000_000L, 0);
    }

    private static ParsedLine line(int i) {
        String text = "line-%05d".formatted(i);
        return new ParsedLine(pos(i), text, false, text.getBytes(StandardCharsets.UTF_8).length);
    }

    private static SourceLogs of(PreparedBatch batch, FollowedSource source) {
        return batch.sources.stream().filter(logs -> logs.getSource().getPodUid().equals(source.podUid()))
                .findFirst().orElseThrow();
    }

    private static List<String> texts(SourceLogs logs) {
        return logs.getLinesList().stream().map(LogLine::getText).toList();
    }
}
