package dev.outpost.hub.deployments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.outpost.hub.store.Database;
import dev.outpost.hub.store.H2FilePool;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agent reports recorded many to a transaction, on a real H2 file: every report is applied once and
 * in order while no sent mark is written, its follow-up sees it committed, one failing report costs
 * only itself, a stop records what is still waiting, and a full queue says so instead of waiting for
 * ever.
 */
class ReportBatchesIT {
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private HikariDataSource dataSource;
    private Database db;
    private ReportBatches reports;
    private final AtomicInteger sentMarkWrites = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicBoolean besideSentMarks = new java.util.concurrent.atomic.AtomicBoolean();
    /** Stands in for the sent marks' writer: counts its writes and tells whether work runs beside it. */
    private final Consumer<Runnable> sentMarks = work -> {
        sentMarkWrites.incrementAndGet();
        besideSentMarks.set(true);
        try {
            work.run();
        } finally {
            besideSentMarks.set(false);
        }
    };

    @BeforeEach
    void database() {
        dataSource = H2FilePool.at(dir.resolve("reports"));
        db = new Database(dataSource);
        db.inTransaction(sql -> sql.update("create table reported (stream int, seq int, primary key (stream, seq))"));
    }

    @AfterEach
    void close() {
        if (reports != null) {
            reports.close();
        }
        dataSource.close();
    }

    @Test
    void everyReportOfManyStreamsIsRecordedOnceInOrderAndItsFollowUpSeesItCommitted() throws Exception {
        reports = new ReportBatches(db, sentMarks);
        int streams = 8;
        int perStream = 300;
        Map<Integer, List<Integer>> followedUp = new ConcurrentHashMap<>();
        List<String> problems = new CopyOnWriteArrayList<>();
        AtomicInteger told = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < streams; s++) {
            int stream = s;
            followedUp.put(stream, new CopyOnWriteArrayList<>());
            threads.add(Thread.ofPlatform().start(() -> {
                for (int seq = 0; seq < perStream; seq++) {
                    int n = seq;
                    reports.add(new ReportBatches.Report(sql -> {
                        if (!besideSentMarks.get()) {
                            problems.add(stream + "/" + n + " applied while sent marks could be written");
                        }
                        sql.update("insert into reported values (?, ?)", stream, n);
                        return () -> {
                            if (countOnItsOwnConnection(stream, n) != 1) {
                                problems.add("follow-up of " + stream + "/" + n + " ran before its commit");
                            }
                            followedUp.get(stream).add(n);
                        };
                    }, error -> {
                        if (error != null) {
                            problems.add(stream + "/" + n + ": " + error);
                        }
                        told.incrementAndGet();
                    }));
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }

        await().atMost(PATIENCE).until(() -> told.get() == streams * perStream);
        assertThat(problems).isEmpty();
        assertThat(count("select count(*) from reported")).isEqualTo((long) streams * perStream);
        for (int s = 0; s < streams; s++) {
            assertThat(followedUp.get(s)).as("stream %d's reports in the order it gave them", s)
                    .isSortedAccordingTo(Integer::compare).hasSize(perStream);
        }
        assertThat(sentMarkWrites.get()).as("the waiting sent marks written before each batch").isPositive();
    }

    @Test
    void aReportThatFailsIsToldWhyAndTheOthersOfItsBatchAreStillRecordedEachAlone() throws Exception {
        reports = new ReportBatches(db, sentMarks);
        db.inTransaction(sql -> sql.update("insert into reported values (1, 1)"));
        CountDownLatch release = new CountDownLatch(1);
        List<RuntimeException> errors = new CopyOnWriteArrayList<>();
        CountDownLatch told = new CountDownLatch(4);
        Consumer<RuntimeException> then = error -> {
            if (error != null) {
                errors.add(error);
            }
            told.countDown();
        };
        // The first holds the writer until the other three wait, so that those three share a batch.
        reports.add(new ReportBatches.Report(sql -> {
            awaitQuietly(release);
            return () -> { };
        }, then));
        reports.add(insert(2, 1, then));
        reports.add(insert(1, 1, then)); // already there: the primary key refuses it
        reports.add(insert(2, 2, then));
        release.countDown();

        assertThat(told.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(errors).singleElement().satisfies(e -> assertThat(e).hasMessageContaining("REPORTED"));
        assertThat(count("select count(*) from reported where stream = 2")).isEqualTo(2);
    }

    @Test
    void stoppingRecordsTheReportsStillWaiting() throws Exception {
        reports = new ReportBatches(db, sentMarks);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger recorded = new AtomicInteger();
        Consumer<RuntimeException> then = error -> {
            if (error == null) {
                recorded.incrementAndGet();
            }
        };
        reports.add(new ReportBatches.Report(sql -> {
            awaitQuietly(release);
            return () -> { };
        }, then));
        for (int seq = 0; seq < 2_500; seq++) { // more than two batches left when the writer stops
            reports.add(insert(3, seq, then));
        }
        Thread stopping = Thread.ofPlatform().start(reports::close);
        release.countDown();
        stopping.join(PATIENCE.toMillis());

        assertThat(stopping.isAlive()).isFalse();
        assertThat(recorded).hasValue(2_501);
        assertThat(count("select count(*) from reported where stream = 3")).isEqualTo(2_500);
        List<RuntimeException> afterStop = new CopyOnWriteArrayList<>();
        reports.add(insert(4, 0, afterStop::add));
        assertThat(afterStop).singleElement().satisfies(e -> assertThat(e).hasMessageContaining("stopping"));
        reports = null;
    }

    @Test
    void aFullQueueRefusesAReportWithTheReasonAfterItsWait() {
        reports = new ReportBatches(db, sentMarks, 2, Duration.ofMillis(100));
        CountDownLatch release = new CountDownLatch(1);
        reports.add(new ReportBatches.Report(sql -> {
            awaitQuietly(release);
            return () -> { };
        }, error -> { }));
        AtomicInteger seq = new AtomicInteger();
        List<RuntimeException> errors = new CopyOnWriteArrayList<>();
        Consumer<RuntimeException> then = error -> {
            if (error != null) {
                errors.add(error);
            }
        };
        try {
            await().atMost(PATIENCE).untilAsserted(() -> {
                reports.add(insert(5, seq.incrementAndGet(), then));
                assertThat(errors).isNotEmpty();
            });
        } finally {
            release.countDown();
        }

        assertThat(errors.get(0)).isInstanceOf(ReportBatches.NotTaken.class)
                .hasMessage("2 agent reports are waiting to be recorded");
    }

    private static ReportBatches.Report insert(int stream, int seq, Consumer<RuntimeException> then) {
        return new ReportBatches.Report(sql -> {
            sql.update("insert into reported values (?, ?)", stream, seq);
            return () -> { };
        }, then);
    }

    private long count(String query, Object... params) {
        return db.read(sql -> sql.count(query, params));
    }

    /** Counted on a connection of its own, outside any transaction of the calling thread. */
    private long countOnItsOwnConnection(int stream, int seq) {
        try (var connection = dataSource.getConnection();
             var statement = connection.prepareStatement("select count(*) from reported where stream = ? and seq = ?")) {
            statement.setInt(1, stream);
            statement.setInt(2, seq);
            try (var rs = statement.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
