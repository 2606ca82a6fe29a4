package dev.outpost.e2e.bench;

import dev.outpost.e2e.support.Cleanup;
import dev.outpost.e2e.support.HubApi;
import dev.outpost.e2e.support.HubProcess;
import dev.outpost.e2e.support.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Benchmark, not a test (no *IT/*Test suffix, so the suite never runs it): what a confirmed write
 * costs with and without durability. Four hubs run side by side: H2 with its old default write delay
 * (500 ms), H2 as the hub configures it now (WRITE_DELAY=0), PostgreSQL with synchronous_commit on (the
 * default) and off. Requests go to them in turn, one at a time, so all four see the same machine load.
 * Prints p50/p90/p99/max of POST /api/v1/tenants per hub. Run it with
 * {@code ./mvnw -B -o -pl hub,e2e -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=ConfirmedWriteLatencyBenchmark -Doutpost.bench.writes=500}.
 */
class ConfirmedWriteLatencyBenchmark {
    private static final Map<String, String> ACCEPT_LOSABLE = Map.of("OUTPOST_DB_ACCEPT_LOSABLE_WRITES", "true");

    @TempDir
    Path work;

    private final Cleanup cleanup = new Cleanup();

    @AfterEach
    void stopEverything() throws Exception {
        cleanup.close();
    }

    private record Subject(String label, HubProcess hub, HubApi api, Path h2File, long[] nanos) {
    }

    @Test
    void confirmedWriteLatency() throws IOException {
        int writes = Integer.getInteger("outpost.bench.writes", 500);
        int warmup = Integer.getInteger("outpost.bench.warmup", 100);
        Path oldH2 = work.resolve("h2-old");
        List<Subject> subjects = List.of(
                subject("h2, WRITE_DELAY=500 (old default)", TestDatabase.embeddedH2(), oldH2,
                        Map.of("OUTPOST_DB_URL", "jdbc:h2:file:" + oldH2.resolve("outpost")
                                + ";DB_CLOSE_ON_EXIT=FALSE;AUTO_SERVER=FALSE;WRITE_DELAY=500",
                                "OUTPOST_DB_ACCEPT_LOSABLE_WRITES", "true"), writes),
                subject("h2, WRITE_DELAY=0 (now)", TestDatabase.embeddedH2(), work.resolve("h2-now"), Map.of(), writes),
                subject("postgresql, synchronous_commit=on", TestDatabase.freshPostgres(), work.resolve("pg-on"),
                        Map.of(), writes),
                subject("postgresql, synchronous_commit=off", TestDatabase.freshPostgres(Map.of("synchronous_commit", "off")),
                        work.resolve("pg-off"), ACCEPT_LOSABLE, writes));

        for (int i = 0; i < warmup; i++) {
            for (Subject subject : subjects) {
                subject.api().post("/api/v1/tenants", Map.of("name", "warmup-" + i)).expect(201);
            }
        }
        for (int i = 0; i < writes; i++) {
            for (Subject subject : subjects) {
                long begin = System.nanoTime();
                subject.api().post("/api/v1/tenants", Map.of("name", "bench-" + i)).expect(201);
                subject.nanos()[i] = System.nanoTime() - begin;
            }
        }

        System.out.printf("BENCH POST /api/v1/tenants, %d sequential confirmed writes per hub after %d warm-up writes, "
                + "cpus=%d, load average %s%n", writes, warmup, Runtime.getRuntime().availableProcessors(), loadAverage());
        for (Subject subject : subjects) {
            long[] sorted = subject.nanos().clone();
            Arrays.sort(sorted);
            String file = subject.h2File() == null ? ""
                    : String.format(", outpost.mv.db %d KiB", Files.size(subject.h2File()) / 1024);
            System.out.printf("BENCH %-36s p50=%6.2f ms p90=%6.2f ms p99=%6.2f ms max=%7.2f ms mean=%6.2f ms%s%n",
                    subject.label(), millis(sorted, 0.50), millis(sorted, 0.90), millis(sorted, 0.99),
                    sorted[sorted.length - 1] / 1e6, Arrays.stream(sorted).average().orElse(0) / 1e6, file);
        }
    }

    private Subject subject(String label, TestDatabase database, Path dataDir, Map<String, String> environment,
                            int writes) {
        cleanup.track(database);
        HubProcess hub = new HubProcess(dataDir, database, "opa_bench-" + UUID.randomUUID()).withEnvironment(environment);
        cleanup.track(hub);
        hub.start();
        Path h2File = database.kind().equals("h2") ? dataDir.resolve("outpost.mv.db") : null;
        return new Subject(label, hub, new HubApi(hub.baseUrl(), hub.adminToken()), h2File, new long[writes]);
    }

    private static double millis(long[] sorted, double quantile) {
        int index = (int) Math.ceil(quantile * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }

    private static String loadAverage() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).trim();
    }
}
