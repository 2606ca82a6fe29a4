package dev.outpost.hub.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fenced reads and commits on a real H2 file: a read answers only once the commits that overlapped it
 * have returned, and commits never wait for reads. H2's window (a commit visible to others before its
 * thread has written it) lasts well under a millisecond for a small commit, so the connections here
 * stretch it: their {@code commit()} commits for real, then waits until the test lets it return, as a
 * rollout's big commit does while H2 writes it.
 */
class WrittenCommitsIT {
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private HikariDataSource h2;
    private Database db;
    /** Set by the thread whose next commit is to wait, once committed, for {@link #letCommitReturn}. */
    private final ThreadLocal<Boolean> stallNextCommit = ThreadLocal.withInitial(() -> false);
    private final ThreadLocal<Boolean> failNextCommit = ThreadLocal.withInitial(() -> false);
    private final CountDownLatch committedButNotReturned = new CountDownLatch(1);
    private final CountDownLatch letCommitReturn = new CountDownLatch(1);
    /** A thread per task: the common pool has a single thread on two cores, which a stalled commit takes. */
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @BeforeEach
    void database() {
        h2 = H2FilePool.at(dir.resolve("fence"));
        db = new Database(stretchingCommits(h2));
        db.inTransaction(sql -> sql.update("create table pushed (id int primary key)"));
    }

    @AfterEach
    void close() {
        letCommitReturn.countDown();
        threads.shutdownNow();
        h2.close();
    }

    @Test
    void onH2AFencedReadWaitsUntilAFencedCommitThatOthersCanAlreadySeeHasReturned() throws Exception {
        WrittenCommits written = new WrittenCommits(db, DatabaseKind.H2);
        CompletableFuture<Void> committing = CompletableFuture.runAsync(() -> insertFenced(written, 1, true), threads);
        assertThat(committedButNotReturned.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(countUnfenced()).as("the window: an unfenced read already sees the commit").isEqualTo(1);

        CompletableFuture<Long> fencedRead = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> fencedRead.complete(countFenced(written)));
        await().atMost(PATIENCE).until(() -> waitingFor(written));
        assertThat(fencedRead).as("it has read, and waits before answering").isNotDone();

        letCommitReturn.countDown();
        assertThat(fencedRead.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1);
        committing.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void onH2ACommitThatStartsDuringAFencedReadGoesOnAndTheReadWaitsForItBeforeAnsweringWhatItSaw() throws Exception {
        WrittenCommits written = new WrittenCommits(db, DatabaseKind.H2);
        CountDownLatch reading = new CountDownLatch(1);
        CompletableFuture<Long> read = CompletableFuture.supplyAsync(() -> written.read(() -> db.read(sql -> {
            reading.countDown();
            await().atMost(PATIENCE).until(() -> committedButNotReturned.getCount() == 0);
            return count(sql); // sees the commit H2 has not written yet
        })), threads);
        assertThat(reading.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Void> committing = CompletableFuture.runAsync(() -> insertFenced(written, 1, true), threads);
        assertThat(committedButNotReturned.await(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                .as("a commit does not wait for the reads under way").isTrue();
        await().atMost(PATIENCE).pollDelay(Duration.ofMillis(50)).until(() -> !read.isDone() && waitingFor(written));

        letCommitReturn.countDown();
        assertThat(read.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1);
        committing.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void aCommitThatFailsLetsTheReadsGoOn() {
        WrittenCommits written = new WrittenCommits(db, DatabaseKind.H2);
        failNextCommit.set(true);
        assertThatThrownBy(() -> insertFenced(written, 1, false)).isInstanceOf(StoreException.class);

        assertThat(CompletableFuture.supplyAsync(() -> countFenced(written), threads))
                .succeedsWithin(PATIENCE).isEqualTo(0L);
    }

    @Test
    void onPostgresqlNothingIsFencedForItShowsACommitOnlyOnceItIsWritten() throws Exception {
        WrittenCommits written = new WrittenCommits(db, DatabaseKind.POSTGRESQL);
        CompletableFuture<Void> committing = CompletableFuture.runAsync(() -> insertFenced(written, 1, true), threads);
        assertThat(committedButNotReturned.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();

        assertThat(CompletableFuture.supplyAsync(() -> countFenced(written), threads)).succeedsWithin(PATIENCE).isEqualTo(1L);
        letCommitReturn.countDown();
        committing.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void aFenceNeedsATransaction() {
        WrittenCommits written = new WrittenCommits(db, DatabaseKind.H2);
        assertThatThrownBy(written::fenceCommit).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no transaction");
    }

    private void insertFenced(WrittenCommits written, int id, boolean stall) {
        stallNextCommit.set(stall);
        db.inTransaction(sql -> {
            written.fenceCommit();
            return sql.update("insert into pushed values (?)", id);
        });
    }

    private long countFenced(WrittenCommits written) {
        return written.read(() -> db.read(WrittenCommitsIT::count));
    }

    /** Whether a thread waits on the fence's monitor, i.e. a read waits for its commits to be written. */
    private static boolean waitingFor(WrittenCommits written) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getState() == Thread.State.WAITING
                && java.util.Arrays.stream(t.getStackTrace()).anyMatch(frame -> frame.getClassName()
                        .equals(WrittenCommits.class.getName()) && frame.getMethodName().startsWith("await")));
    }

    private long countUnfenced() {
        return db.read(WrittenCommitsIT::count);
    }

    private static long count(Sql sql) {
        return sql.queryOne("select count(*) n from pushed", rs -> rs.getLong("n")).orElseThrow();
    }

    /** The H2 pool's connections, with a commit that can be made to fail, or to wait once it is visible. */
    private DataSource stretchingCommits(HikariDataSource pool) {
        return (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> method.getName().equals("getConnection") && (args == null || args.length == 0)
                        ? stretching(pool.getConnection())
                        : invoke(pool, method, args));
    }

    private Connection stretching(Connection real) {
        return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("commit")) {
                        if (failNextCommit.get()) {
                            failNextCommit.set(false);
                            real.rollback();
                            throw new SQLException("the disk is full (a test's commit)");
                        }
                        real.commit();
                        if (stallNextCommit.get()) {
                            stallNextCommit.set(false);
                            committedButNotReturned.countDown();
                            letCommitReturn.await();
                        }
                        return null;
                    }
                    return invoke(real, method, args);
                });
    }

    private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
