package dev.outpost.hub.deployments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.outpost.hub.store.Database;
import dev.outpost.hub.store.H2FilePool;
import dev.outpost.hub.store.DatabaseKind;
import dev.outpost.hub.store.WrittenCommits;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sent marks' bound, on a real H2 file with the columns a mark writes: a stream that finds the
 * queue full writes the marks itself (it waits for a write under way rather than adding more), and a
 * report's follow-up that fills it while the writing lock is held writes them without waiting for
 * itself.
 */
class SentMarksIT {
    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private static final int CAPACITY = 10;

    @TempDir
    Path dir;

    private HikariDataSource dataSource;
    private Database db;
    private SentMarks marks;

    @BeforeEach
    void database() {
        dataSource = H2FilePool.at(dir.resolve("marks"));
        db = new Database(dataSource);
        db.inTransaction(sql -> {
            sql.update("create table commands (id varchar(64) primary key, status varchar(16) not null, "
                    + "agent_id varchar(64), sent_at timestamp with time zone)");
            for (int i = 0; i < 3 * CAPACITY; i++) {
                sql.update("insert into commands (id, status) values (?, 'queued')", "cmd-" + i);
            }
            return null;
        });
        marks = new SentMarks(db, new CommandStore(null, new WrittenCommits(db, DatabaseKind.H2)), CAPACITY);
    }

    @AfterEach
    void close() {
        marks.close();
        dataSource.close();
    }

    @Test
    void aStreamThatFindsTheQueueFullWaitsForTheWriteUnderWayAndWritesTheMarksItself() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch finishWriting = new CountDownLatch(1);
        Thread writer = Thread.ofPlatform().start(() -> marks.flushThen(() -> {
            writing.countDown();
            await().atMost(PATIENCE).until(() -> finishWriting.getCount() == 0);
        }));
        assertThat(writing.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < CAPACITY; i++) {
            marks.add(mark(i)); // room left: each returns at once
        }

        Thread overflowing = Thread.ofPlatform().start(() -> marks.add(mark(CAPACITY)));
        await().atMost(PATIENCE).until(() -> overflowing.getState() == Thread.State.WAITING);
        assertThat(sent()).isZero();

        finishWriting.countDown();
        overflowing.join(PATIENCE.toMillis());
        writer.join(PATIENCE.toMillis());
        assertThat(overflowing.isAlive()).isFalse();
        assertThat(sent()).as("the stream that overflowed wrote every mark waiting").isEqualTo(CAPACITY + 1);
    }

    @Test
    void aFollowUpThatFillsTheQueueWhileTheWritingLockIsHeldWritesWithoutWaitingForItself() throws Exception {
        Thread followUp = Thread.ofPlatform().start(() -> marks.flushThen(() -> {
            for (int i = 0; i < 2 * CAPACITY + 5; i++) {
                marks.add(mark(i));
            }
        }));
        followUp.join(PATIENCE.toMillis());
        assertThat(followUp.isAlive()).isFalse();
        await().atMost(PATIENCE).until(() -> sent() == 2 * CAPACITY + 5);
    }

    private static SentMarks.Mark mark(int i) {
        return new SentMarks.Mark("cmd-" + i, "agent-1", Instant.parse("2026-12-07T20:00:00Z"));
    }

    private long sent() {
        return db.read(sql -> sql.queryOne("select count(*) n from commands where status = 'sent'",
                rs -> rs.getLong("n")).orElseThrow());
    }
}
