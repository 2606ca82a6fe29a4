package dev.outpost.hub.usage.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.outpost.hub.store.Database;
import dev.outpost.hub.store.DatabaseKind;
import dev.outpost.hub.store.Sql;
import dev.outpost.hub.testsupport.PostgresTestDatabase;
import dev.outpost.hub.usage.UsageIngest;
import dev.outpost.hub.usage.UsageIngestResult;
import dev.outpost.hub.usage.UsageTarget;
import dev.outpost.hub.usage.UsageWrites;
import dev.outpost.protocol.GrpcLimits;
import dev.outpost.protocol.usage.Meters;
import dev.outpost.protocol.usage.UsageKeys;
import dev.outpost.protocol.v1.SpoolState;
import dev.outpost.protocol.v1.UsageBatch;
import dev.outpost.protocol.v1.UsageRecord;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Benchmark, not a test (a main class; the suite never runs it): records per second that
 * {@link UsageIngest} stores into PostgreSQL in batches of 1000 (dedup insert, hourly aggregates,
 * spool, one transaction per batch), against {@code COPY} of the same rows into a plain table without
 * constraints or indexes in the same database, the fastest way PostgreSQL takes rows. Creates and drops
 * a database of its own on the test server (PostgresTestDatabase). Arguments: records (default 200000).
 * docs/benchmarks.md has the command.
 */
public final class UsageIngestBenchmark {
    private static final String AGENT = "agt_bench";
    private static final String TENANT = "ten_bench";
    private static final String ENVIRONMENT = "env_bench";
    private static final int DEPLOYMENTS = 10;
    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant CREATED = Instant.parse("2025-12-01T00:00:00Z");

    private UsageIngestBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        PostgresTestDatabase database = PostgresTestDatabase.create();
        try (HikariDataSource dataSource = database.pool(2)) {
            Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
            List<UsageBatch> batches = batches(records);
            UsageIngest ingest = new UsageIngest(new Database(dataSource), new FixedTargets(),
                    Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC));

            ingest.ingest(AGENT, batches.getFirst()); // warm-up: JIT, pool, plans (its records count as duplicates below)
            long started = System.nanoTime();
            int stored = 0;
            for (UsageBatch batch : batches) {
                UsageIngestResult result = ingest.ingest(AGENT, batch);
                stored += result.stored() + result.duplicates();
            }
            double ingestSeconds = (System.nanoTime() - started) / 1e9;

            String csv = csv(batches);
            double copySeconds;
            try (Connection c = dataSource.getConnection()) {
                try (Statement s = c.createStatement()) {
                    s.execute("create table usage_copy_baseline (idempotency_key varchar(80), agent_id varchar(64), "
                            + "tenant_id varchar(64), environment_id varchar(64), deployment_id varchar(64), "
                            + "meter varchar(100), unit varchar(40), window_start timestamp with time zone, "
                            + "window_end timestamp with time zone, quantity numeric(30, 9), "
                            + "received_at timestamp with time zone)");
                }
                CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
                long copyStarted = System.nanoTime();
                long copied = copy.copyIn("copy usage_copy_baseline from stdin with (format csv)", new StringReader(csv));
                copySeconds = (System.nanoTime() - copyStarted) / 1e9;
                if (copied != records) {
                    throw new IllegalStateException("COPY took " + copied + " rows, expected " + records);
                }
            }
            long rows;
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                 var rs = s.executeQuery("select count(*) from usage_records")) {
                rs.next();
                rows = rs.getLong(1);
            }
            if (stored != records || rows != records) {
                throw new IllegalStateException("stored " + stored + " / " + rows + " rows, expected " + records);
            }
            double ingestRate = records / ingestSeconds;
            double copyRate = records / copySeconds;
            System.out.printf("BENCH usage ingest: %d records in %d batches of %d: UsageIngest %.0f records/s "
                            + "(%.2f s), COPY into a plain table %.0f records/s (%.2f s), COPY/ingest %.1fx%n",
                    records, batches.size(), GrpcLimits.MAX_USAGE_RECORDS_PER_BATCH, ingestRate, ingestSeconds,
                    copyRate, copySeconds, copyRate / ingestRate);
        } finally {
            database.drop();
        }
    }

    /** The records, in batches of the most a batch may hold, as an agent sends them. */
    private static List<UsageBatch> batches(int records) {
        List<UsageBatch> batches = new ArrayList<>();
        UsageBatch.Builder batch = null;
        List<Meters.Meter> meters = Meters.BUILT_IN;
        for (int i = 0; i < records; i++) {
            if (batch == null || batch.getRecordsCount() == GrpcLimits.MAX_USAGE_RECORDS_PER_BATCH) {
                if (batch != null) {
                    batches.add(batch.build());
                }
                batch = UsageBatch.newBuilder().setSequence(batches.size() + 1L).setSpool(SpoolState.newBuilder()
                        .setPendingRecords(records - i).setPendingBytes(200L * (records - i)).setMaxBytes(1L << 30));
            }
            Meters.Meter meter = meters.get(i % meters.size());
            String deployment = "dep_bench_" + (i / meters.size()) % DEPLOYMENTS;
            long window = i / (meters.size() * DEPLOYMENTS);
            long startMs = START.toEpochMilli() + window * 60_000;
            long endMs = startMs + 60_000;
            batch.addRecords(UsageRecord.newBuilder().setIdempotencyKey(UsageKeys.key(AGENT, deployment, meter.name(),
                            startMs, endMs)).setDeploymentId(deployment).setMeter(meter.name()).setUnit(meter.unit())
                    .setWindowStartUnixMs(startMs).setWindowEndUnixMs(endMs).setQuantity("12.345678901"));
        }
        batches.add(batch.build());
        return batches;
    }

    private static String csv(List<UsageBatch> batches) {
        StringBuilder csv = new StringBuilder();
        String now = Instant.now().toString();
        for (UsageBatch batch : batches) {
            for (UsageRecord r : batch.getRecordsList()) {
                csv.append(r.getIdempotencyKey()).append(',').append(AGENT).append(',').append(TENANT).append(',')
                        .append(ENVIRONMENT).append(',').append(r.getDeploymentId()).append(',').append(r.getMeter())
                        .append(',').append(r.getUnit()).append(',')
                        .append(Instant.ofEpochMilli(r.getWindowStartUnixMs())).append(',')
                        .append(Instant.ofEpochMilli(r.getWindowEndUnixMs())).append(',').append(r.getQuantity())
                        .append(',').append(now).append('\n');
            }
        }
        return csv.toString();
    }

    /** The agent and its deployments without the rest of the hub's tables: only usage is measured. */
    private static final class FixedTargets extends UsageWrites {
        FixedTargets() {
            super(DatabaseKind.POSTGRESQL);
        }

        @Override
        public Optional<AgentRef> activeAgent(Sql sql, String agentId) {
            return Optional.of(new AgentRef(TENANT, ENVIRONMENT));
        }

        @Override
        public Optional<UsageTarget> deployment(Sql sql, String deploymentId) {
            return Optional.of(new UsageTarget(deploymentId, TENANT, ENVIRONMENT, CREATED));
        }
    }
}
