package dev.outpost.hub.logs;

import com.zaxxer.hikari.HikariDataSource;
import dev.outpost.hub.store.Database;
import dev.outpost.hub.store.DatabaseKind;
import dev.outpost.hub.store.Sql;
import dev.outpost.hub.testsupport.PostgresTestDatabase;
import dev.outpost.protocol.GrpcLimits;
import dev.outpost.protocol.v1.LogBatch;
import dev.outpost.protocol.v1.LogBufferState;
import dev.outpost.protocol.v1.LogLine;
import dev.outpost.protocol.v1.LogPosition;
import dev.outpost.protocol.v1.LogSource;
import dev.outpost.protocol.v1.LogStream;
import dev.outpost.protocol.v1.SourceLogs;
import java.io.IOException;
import java.io.Reader;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.Supplier;
import org.flywaydb.core.Flyway;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Benchmark, not a test (a main class; the suite runs it only tiny, in LogIngestBenchmarkSmokeIT).
 * On PostgreSQL, in a database of its own (PostgresTestDatabase, dropped afterwards):
 * <ol>
 *   <li>lines per second that {@link LogIngest} stores, in batches of 1000 as agents send them (10
 *       sources of 100 lines each), with every index of log_lines in place, trigram index included;</li>
 *   <li>the same lines by {@code COPY} into a plain table without indexes: the fastest PostgreSQL takes rows;</li>
 *   <li>the table filled to the total by {@code COPY} (the trigram index built after), then the
 *       queries the logs API and the health summary run, each many times with random windows: p50/p99.</li>
 * </ol>
 * Arguments: lines ingested (default 1,000,000), lines in total (default 10,000,000), runs per query
 * (default 200). docs/benchmarks.md has the command and the numbers.
 */
public final class LogIngestBenchmark {
    private static final String AGENT = "agt_bench";
    private static final String TENANT = "ten_bench";
    private static final String ENVIRONMENT = "env_bench";
    private static final int DEPLOYMENTS = 10;
    private static final int PODS_PER_DEPLOYMENT = 10;
    private static final int SOURCES = DEPLOYMENTS * PODS_PER_DEPLOYMENT;
    private static final int LINES_PER_SOURCE_PER_BATCH = GrpcLimits.MAX_LOG_LINES_PER_BATCH / 10;
    /** The lines span one day (10 million: 100 pods at 1.2 lines/s each). */
    private static final long DAY_NS = Duration.ofDays(1).toNanos();
    private static final long START_NS = LogViews.nanos(Instant.parse("2026-01-01T00:00:00Z"));
    private static final long HOUR_NS = Duration.ofHours(1).toNanos();
    private static final String RARE_WORD = "checkout-failed";
    /** The hub's defaults, except a query timeout long enough to measure slow queries. */
    private static final LogsConfig CONFIG = TestLogsConfig.defaults().withQueryTimeout(Duration.ofSeconds(60));

    private LogIngestBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int ingestLines = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int totalLines = args.length > 1 ? Integer.parseInt(args[1]) : 10_000_000;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        run(ingestLines, totalLines, runs); // prints as it goes
    }

    /** Runs the benchmark and returns its report (BENCH lines); throws when a count does not add up. */
    static String run(int ingestLines, int totalLines, int runs) throws Exception {
        Lines lines = new Lines(totalLines);
        int ingestPerSource = Math.min(lines.perSource, Math.max(1, ingestLines / SOURCES));
        PostgresTestDatabase database = PostgresTestDatabase.create();
        StringBuilder report = new StringBuilder();
        try (HikariDataSource dataSource = database.pool(2)) {
            Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
            Database db = new Database(dataSource);
            LogWrites writes = new FixedTargets();
            if (!Boolean.getBoolean("outpost.bench.without-text-index")) {
                new LogTextIndex(db, writes).ensure();
            }
            LogIngest ingest = new LogIngest(db, writes, Clock.fixed(Instant.parse("2026-01-02T00:00:00Z"), ZoneOffset.UTC));

            // 1. LogIngest, the warm-up batch included (JIT, pool, plans): what the Telemetry stream runs
            long ingestNanos = 0;
            long stored = 0;
            long sequence = 0;
            for (int from = 0; from < ingestPerSource; from += LINES_PER_SOURCE_PER_BATCH) {
                int to = Math.min(ingestPerSource, from + LINES_PER_SOURCE_PER_BATCH);
                for (int firstSource = 0; firstSource < SOURCES; firstSource += 10) {
                    LogBatch batch = lines.batch(++sequence, firstSource, from, to);
                    long started = System.nanoTime();
                    stored += ingest.ingest(AGENT, batch).stored();
                    ingestNanos += System.nanoTime() - started;
                }
            }
            long ingested = (long) ingestPerSource * SOURCES;
            require("LogIngest stored", stored, ingested);
            double ingestRate = ingested / (ingestNanos / 1e9);

            // 2. COPY of the same lines into a plain table
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                s.execute("create table log_copy_baseline (tenant_id varchar(64), environment_id varchar(64), "
                        + "deployment_id varchar(64), namespace varchar(253), pod varchar(253), container varchar(253), "
                        + "time_ns bigint, stream varchar(10), text varchar(16384), truncated boolean)");
            }
            double copySeconds = copy(dataSource, "log_copy_baseline", lines, 0, ingestPerSource);
            double copyRate = ingested / copySeconds;
            report(report, String.format("BENCH logs ingest: %d lines in %d batches of %d: LogIngest %.0f lines/s "
                            + "(%.2f s), COPY into a plain table %.0f lines/s (%.2f s), COPY/ingest %.1fx%n",
                    ingested, sequence, GrpcLimits.MAX_LOG_LINES_PER_BATCH, ingestRate, ingestNanos / 1e9, copyRate,
                    copySeconds, copyRate / ingestRate));

            // 3. fill to the total (trigram index dropped and built after, as one would for a bulk load)
            long filled = (long) (lines.perSource - ingestPerSource) * SOURCES;
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                s.execute("drop index if exists " + LogTextIndex.INDEX);
            }
            double fillSeconds = copy(dataSource, "log_lines", lines, ingestPerSource, lines.perSource);
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                // as LogIngest would have left them (the health summary finds pods through log_sources)
                s.execute("update log_sources set stored_lines = " + lines.perSource + ", last_line_ns = "
                        + lines.timeNs(lines.perSource - 1) + ", position_ns = " + lines.timeNs(lines.perSource - 1));
            }
            long indexStarted = System.nanoTime();
            new LogTextIndex(db, writes).ensure();
            double indexSeconds = (System.nanoTime() - indexStarted) / 1e9;
            long rows;
            String size;
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                s.execute("analyze log_lines");
                var rs = s.executeQuery("select count(*), pg_size_pretty(pg_total_relation_size('log_lines')) from log_lines");
                rs.next();
                rows = rs.getLong(1);
                size = rs.getString(2);
            }
            require("log_lines rows", rows, (long) lines.perSource * SOURCES);
            report(report, String.format("BENCH logs fill: %d more lines by COPY into log_lines (btree indexes) %.0f lines/s "
                            + "(%.1f s), trigram index built in %.1f s; %d lines, %s with indexes%n", filled,
                    filled / fillSeconds, fillSeconds, indexSeconds, rows, size));

            // 4. the queries
            LogStore store = new LogStore(writes);
            LogService service = new LogService(db, store, new LogTails(db, store, CONFIG,
                    Clock.systemUTC()), CONFIG);
            Random random = new Random(42);
            // The baseline: what a query costs that no index helps, a scan of every line (3 runs, it is slow).
            long scan = query(report, "baseline: regex over all lines (a full scan, count only)", 3,
                    () -> db.read(sql -> (int) sql.count("select count(*) from log_lines where text ~ ?",
                            "timeout after [0-9]+ ms")));
            query(report, "pod + 1 h window, newest 100", runs, () -> {
                int source = random.nextInt(SOURCES);
                long from = randomHour(random);
                return page(db, store, filter(Optional.of(deployment(source)), Optional.of(pod(source)), from,
                        Optional.empty(), Optional.empty()));
            }, scan);
            query(report, "deployment + 1 h window, newest 100", runs, () -> page(db, store, filter(
                    Optional.of(deployment(random.nextInt(SOURCES))), Optional.empty(), randomHour(random),
                    Optional.empty(), Optional.empty())), scan);
            query(report, "tenant, newest 100, no window", runs, () -> page(db, store, new LogFilter(Optional.of(TENANT),
                    Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.empty(), Optional.empty())), scan);
            query(report, "tenant + 1 h window + contains '" + RARE_WORD + "' (1 line in 1000)", runs,
                    () -> page(db, store, filter(Optional.empty(), Optional.empty(), randomHour(random),
                            Optional.of(RARE_WORD), Optional.empty())), scan);
            query(report, "deployment + 1 h window + regex 'timeout after [0-9]+ ms' (1 in 100)", runs,
                    () -> page(db, store, filter(Optional.of(deployment(random.nextInt(SOURCES))), Optional.empty(),
                            randomHour(random), Optional.empty(), Optional.of("timeout after [0-9]+ ms"))), scan);
            Instant lastLine = LogViews.instant(lines.timeNs(lines.perSource - 1));
            query(report, "health: recent error lines of a deployment", runs, () -> service.recentErrors(
                    deployment(random.nextInt(SOURCES)), lastLine.minus(Duration.ofMinutes(15))).linesRead(), scan);
        } finally {
            database.drop();
        }
        return report.toString();
    }

    private static void require(String what, long actual, long expected) {
        if (actual != expected) {
            throw new IllegalStateException(what + ": " + actual + ", expected " + expected);
        }
    }

    private static long randomHour(Random random) {
        return START_NS + (long) (random.nextDouble() * (DAY_NS - HOUR_NS));
    }

    private static LogFilter filter(Optional<String> deployment, Optional<String> pod, long fromNs,
            Optional<String> contains, Optional<String> regex) {
        return new LogFilter(Optional.of(TENANT), Optional.empty(), deployment, pod, Optional.empty(),
                Optional.of(fromNs), Optional.of(fromNs + HOUR_NS), contains, regex);
    }

    /** A page as LogService reads one: within the query timeout, newest first, 100 lines. */
    private static int page(Database db, LogStore store, LogFilter filter) {
        return db.read(sql -> store.timeLimited(sql, CONFIG.getQueryTimeout(),
                timed -> store.page(timed, filter, LogOrder.NEWEST, Optional.empty(), 101).size()));
    }

    private static long query(StringBuilder report, String name, int runs, Supplier<Integer> query) {
        return query(report, name, runs, query, 0);
    }

    /** Runs the query, reports p50/p99, and its p50's ratio to {@code baselineNanos} when there is one. */
    private static long query(StringBuilder report, String name, int runs, Supplier<Integer> query, long baselineNanos) {
        query.get(); // warm-up
        long[] nanos = new long[runs];
        long returned = 0;
        for (int i = 0; i < runs; i++) {
            long started = System.nanoTime();
            returned += query.get();
            nanos[i] = System.nanoTime() - started;
        }
        Arrays.sort(nanos);
        long p50 = nanos[runs / 2];
        report(report, String.format("BENCH logs query: %s: p50 %.1f ms, p99 %.1f ms, max %.1f ms (%d runs, %.0f lines "
                        + "each on average)%s%n", name, p50 / 1e6, nanos[Math.min(runs - 1, (int) (runs * 0.99))] / 1e6,
                nanos[runs - 1] / 1e6, runs, (double) returned / runs,
                baselineNanos == 0 ? "" : String.format("; the full scan takes %.0fx its p50", (double) baselineNanos / p50)));
        return p50;
    }

    /** Adds a line to the report and prints it at once (a full run takes minutes). */
    private static void report(StringBuilder report, String line) {
        report.append(line);
        System.out.print(line);
        System.out.flush();
    }

    private static double copy(HikariDataSource dataSource, String table, Lines lines, int from, int to)
            throws SQLException, IOException {
        try (Connection c = dataSource.getConnection()) {
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            long started = System.nanoTime();
            long copied = copy.copyIn("copy " + table + " (tenant_id, environment_id, deployment_id, namespace, pod, "
                    + "container, time_ns, stream, text, truncated) from stdin with (format csv)", lines.csv(from, to));
            double seconds = (System.nanoTime() - started) / 1e9;
            require("COPY into " + table, copied, (long) (to - from) * SOURCES);
            return seconds;
        }
    }

    private static String deployment(int source) {
        return "dep_bench_" + source / PODS_PER_DEPLOYMENT;
    }

    private static String pod(int source) {
        return "web-" + source % PODS_PER_DEPLOYMENT;
    }

    /** The synthetic lines: SOURCES sources, each with perSource lines spread evenly over one day. */
    private static final class Lines {
        final int perSource;
        final long spacingNs;

        Lines(int total) {
            this.perSource = Math.max(1, total / SOURCES);
            this.spacingNs = DAY_NS / perSource;
        }

        long timeNs(int line) {
            return START_NS + line * spacingNs;
        }

        /** Lines 1 in 1000 carry the rare word, 1 in 100 a timeout, the rest an access log line. */
        static String text(int source, int line) {
            long id = (source * 1_000_003L + line) * 2_654_435_761L & 0xffffffffL;
            int phase = line + source * 37; // sources reach the same line index at the same time: spread the rare ones
            if (phase % 1000 == 7) {
                return "ERROR order " + id + " " + RARE_WORD + ": payment provider said 402";
            }
            if (phase % 100 == 3) {
                return "WARN upstream cache-" + source % 3 + " timeout after " + (id % 5000) + " ms, retrying";
            }
            return "INFO GET /api/items/" + (id % 100_000) + " 200 " + (id % 900) + "ms request_id=" + Long.toHexString(id)
                    + " user_agent=\"Mozilla/5.0 (X11; Linux x86_64)\"";
        }

        LogBatch batch(long sequence, int firstSource, int from, int to) {
            LogBatch.Builder batch = LogBatch.newBuilder().setSequence(sequence)
                    .setBuffer(LogBufferState.newBuilder().setMaxBytes(8L << 20));
            for (int source = firstSource; source < firstSource + 10; source++) {
                SourceLogs.Builder logs = SourceLogs.newBuilder().setSource(LogSource.newBuilder()
                        .setDeploymentId(deployment(source)).setNamespace("apps").setPod(pod(source))
                        .setPodUid("uid-" + source).setContainer("app"));
                for (int line = from; line < to; line++) {
                    logs.addLines(LogLine.newBuilder().setPosition(LogPosition.newBuilder().setTimeUnixNanos(timeNs(line)))
                            .setStream(LogStream.LOG_STREAM_COMBINED).setText(text(source, line)));
                }
                batch.addSources(logs);
            }
            return batch.build();
        }

        /** CSV rows of lines [from, to) of every source, generated as COPY reads them (10 M lines do not fit a String). */
        Reader csv(int from, int to) {
            return new Reader() {
                private int source;
                private int line = from;
                private final StringBuilder pending = new StringBuilder();
                private int offset;

                @Override
                public int read(char[] buffer, int off, int len) {
                    while (offset == pending.length()) {
                        if (source == SOURCES || from >= to) {
                            return -1;
                        }
                        pending.setLength(0);
                        offset = 0;
                        for (int i = 0; i < 1000 && source < SOURCES; i++) {
                            pending.append(TENANT).append(',').append(ENVIRONMENT).append(',').append(deployment(source))
                                    .append(",apps,").append(pod(source)).append(",app,").append(timeNs(line))
                                    .append(",combined,\"").append(text(source, line).replace("\"", "\"\""))
                                    .append("\",false\n");
                            if (++line == to) {
                                line = from;
                                source++;
                            }
                        }
                    }
                    int n = Math.min(len, pending.length() - offset);
                    pending.getChars(offset, offset + n, buffer, off);
                    offset += n;
                    return n;
                }

                @Override
                public void close() {
                }
            };
        }
    }

    /** The agent and its deployments without the rest of the hub's tables: only logs are measured. */
    private static final class FixedTargets extends LogWrites {
        FixedTargets() {
            super(DatabaseKind.POSTGRESQL);
        }

        @Override
        Optional<AgentRef> activeAgent(Sql sql, String agentId) {
            return Optional.of(new AgentRef(TENANT, ENVIRONMENT));
        }

        @Override
        Optional<String> deploymentEnvironment(Sql sql, String deploymentId) {
            return Optional.of(ENVIRONMENT);
        }
    }
}
