package dev.outpost.hub.usage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.hub.testsupport.PostgresDatabaseExtension;
import dev.outpost.protocol.v1.UsageBatch;
import dev.outpost.protocol.v1.UsageRecord;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Usage over a real Telemetry stream into PostgreSQL, in a database of its own; and the case only a
 * shared database has: hub replicas ingesting the same batch at the same moment.
 */
@MicronautTest
class UsageIngestPostgresIT extends AbstractUsageIngestIT {
    @RegisterExtension
    static final PostgresDatabaseExtension DATABASE = new PostgresDatabaseExtension();

    @Override
    Map<String, String> databaseProperties() {
        return DATABASE.hubProperties();
    }

    @Test
    void theSameBatchIngestedConcurrentlyIsStoredOnceAndAggregatesEqualTheRecords() throws Exception {
        Setup s = setup();
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < 5; round++) {
                List<UsageRecord> records = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    records.add(record(s, CPU, "core-second", OCT_31_23H.plusSeconds(3600L * 24 * round + 7L * i), 7,
                            "0.123456789"));
                }
                UsageBatch batch = batch(round + 1, spool(200, 1, 1, 0), records.toArray(UsageRecord[]::new));
                CyclicBarrier start = new CyclicBarrier(threads);
                List<Future<UsageIngestResult>> results = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    results.add(pool.submit(() -> {
                        start.await(10, TimeUnit.SECONDS);
                        return ingest.ingest(s.agentId(), batch);
                    }));
                }
                int stored = 0;
                int duplicates = 0;
                for (Future<UsageIngestResult> result : results) {
                    UsageIngestResult r = result.get(60, TimeUnit.SECONDS);
                    stored += r.stored();
                    duplicates += r.duplicates();
                }
                assertThat(stored).as("round " + round).isEqualTo(200);
                assertThat(duplicates).as("round " + round).isEqualTo(200 * (threads - 1));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(count("select count(*) from usage_records where deployment_id = ?", s.deploymentId()))
                .isEqualTo(1000);
        assertThat(recordSum(s.deploymentId())).isEqualByComparingTo(new BigDecimal("123.456789"));
        assertThat(hourlySum(s.deploymentId())).isEqualByComparingTo(recordSum(s.deploymentId()));
        assertThat(count("select coalesce(sum(records), 0) from usage_hourly where deployment_id = ?", s.deploymentId()))
                .isEqualTo(1000);
    }

    @Test
    void overlappingBatchesInOppositeOrdersIngestedConcurrentlyStoreTheUnionOnce() throws Exception {
        Setup s = setup();
        List<UsageRecord> all = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            all.add(record(s, i % 2 == 0 ? CPU : PODS, i % 2 == 0 ? "core-second" : "pod-hour",
                    OCT_31_23H.plusSeconds(60L * i), 60, "1.000000001"));
        }
        List<UsageRecord> reversed = new ArrayList<>(all.subList(100, 300));
        java.util.Collections.reverse(reversed);
        UsageBatch first = batch(1, spool(200, 1, 1, 0), all.subList(0, 200).toArray(UsageRecord[]::new));
        UsageBatch second = batch(2, spool(200, 1, 1, 0), reversed.toArray(UsageRecord[]::new));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CyclicBarrier start = new CyclicBarrier(2);
            Future<UsageIngestResult> a = pool.submit(() -> {
                start.await(10, TimeUnit.SECONDS);
                return ingest.ingest(s.agentId(), first);
            });
            Future<UsageIngestResult> b = pool.submit(() -> {
                start.await(10, TimeUnit.SECONDS);
                return ingest.ingest(s.agentId(), second);
            });
            UsageIngestResult ra = a.get(60, TimeUnit.SECONDS);
            UsageIngestResult rb = b.get(60, TimeUnit.SECONDS);
            assertThat(ra.stored() + rb.stored()).isEqualTo(300);
            assertThat(ra.duplicates() + rb.duplicates()).isEqualTo(100);
        } finally {
            pool.shutdownNow();
        }
        assertThat(recordSum(s.deploymentId())).isEqualByComparingTo(new BigDecimal("300.0000003"));
        assertThat(hourlySum(s.deploymentId())).isEqualByComparingTo(recordSum(s.deploymentId()));
    }
}
