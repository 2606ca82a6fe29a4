package dev.outpost.hub.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Benchmark, not a test (no *Test/*IT suffix, so the suite never runs it): how the embedded H2 file
 * grows under a steady stream of small committed transactions, with the hub's WRITE_DELAY=0 and with
 * H2's default 500 ms, and what a clean close compacts it to. Prints a line every 15 s. Run it with
 * {@code ./mvnw -B -o -pl hub -am test -Dtest=H2FileGrowthBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * -Doutpost.bench.duration=PT150S -Doutpost.bench.pause=PT0.01S} (the pause between commits sets the rate).
 */
class H2FileGrowthBenchmark {
    @TempDir
    Path dir;

    @Test
    void fileGrowthWithAndWithoutWriteDelay() throws Exception {
        Duration duration = Duration.parse(System.getProperty("outpost.bench.duration", "PT150S"));
        Duration pause = Duration.parse(System.getProperty("outpost.bench.pause", "PT0.01S"));
        for (int writeDelay : new int[] {0, 500}) {
            grow(writeDelay, duration, pause);
        }
    }

    private void grow(int writeDelay, Duration duration, Duration pause) throws SQLException, IOException {
        Path file = dir.resolve("delay" + writeDelay + ".mv.db");
        String url = "jdbc:h2:file:" + dir.resolve("delay" + writeDelay) + ";WRITE_DELAY=" + writeDelay;
        int commits = 0;
        try (Connection c = DriverManager.getConnection(url, "sa", "")) {
            c.createStatement().execute("create table t (id varchar(40) primary key, name varchar(200), created_at timestamp)");
            c.setAutoCommit(false);
            try (PreparedStatement insert = c.prepareStatement("insert into t values (?, ?, current_timestamp)")) {
                long begin = System.nanoTime();
                long end = begin + duration.toNanos();
                long nextReport = begin + Duration.ofSeconds(15).toNanos();
                while (System.nanoTime() < end) {
                    insert.setString(1, UUID.randomUUID().toString());
                    insert.setString(2, "tenant-" + commits);
                    insert.executeUpdate();
                    c.commit();
                    commits++;
                    if (System.nanoTime() >= nextReport) {
                        System.out.printf("BENCH h2 WRITE_DELAY=%d: %3d s, %d commits, file %d KiB%n", writeDelay,
                                Duration.ofNanos(System.nanoTime() - begin).toSeconds(), commits, Files.size(file) / 1024);
                        nextReport += Duration.ofSeconds(15).toNanos();
                    }
                    // A steady stream, not a bulk load.
                    LockSupport.parkNanos(pause.toNanos());
                }
            }
            System.out.printf("BENCH h2 WRITE_DELAY=%d: end, %d commits, file %d KiB%n", writeDelay, commits,
                    Files.size(file) / 1024);
        }
        System.out.printf("BENCH h2 WRITE_DELAY=%d: after a clean close, file %d KiB%n", writeDelay, Files.size(file) / 1024);
    }
}
