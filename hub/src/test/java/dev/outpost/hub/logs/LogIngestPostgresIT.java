package dev.outpost.hub.logs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.hub.testsupport.PostgresDatabaseExtension;
import dev.outpost.protocol.v1.LogBatch;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
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
 * Logs over a real Telemetry stream into PostgreSQL, in a database of its own; and what only a shared
 * database has: hub replicas ingesting the same and overlapping batches at the same moment.
 */
@MicronautTest
class LogIngestPostgresIT extends AbstractLogIngestIT {
    @RegisterExtension
    static final PostgresDatabaseExtension DATABASE = new PostgresDatabaseExtension();
    @jakarta.inject.Inject
    LogTextIndex textIndex;

    @Override
    Map<String, String> databaseProperties() {
        return DATABASE.hubProperties();
    }

    @Test
    void theSameBatchIngestedConcurrentlyIsStoredOnce() throws Exception {
        Setup s = setup();
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < 5; round++) {
                // two sources in opposite orders in alternate copies: rows are still locked in one order
                LogBatch forward = batch(round + 1, source(s, "web-0", "uid-a", "app", round * 100, 100, 0),
                        source(s, "web-1", "uid-b", "app", round * 100, 100, 0));
                LogBatch backward = batch(round + 1, forward.getSources(1), forward.getSources(0));
                CyclicBarrier start = new CyclicBarrier(threads);
                List<Future<LogIngestResult>> results = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    LogBatch copy = t % 2 == 0 ? forward : backward;
                    results.add(pool.submit(() -> {
                        start.await(10, TimeUnit.SECONDS);
                        return ingest.ingest(s.agentId(), copy);
                    }));
                }
                int stored = 0;
                int duplicates = 0;
                for (Future<LogIngestResult> result : results) {
                    LogIngestResult r = result.get(60, TimeUnit.SECONDS);
                    stored += r.stored();
                    duplicates += r.duplicates();
                }
                assertThat(stored).as("round " + round).isEqualTo(200);
                assertThat(duplicates).as("round " + round).isEqualTo(200 * (threads - 1));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(count("select count(*) from log_lines where deployment_id = ?", s.deploymentId())).isEqualTo(1000);
        assertThat(count("select sum(stored_lines) from log_sources where deployment_id = ?", s.deploymentId()))
                .isEqualTo(1000);
    }

    @Test
    void thePostgresqlTrigramIndexIsBuilt() {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(textIndex::ready);
        assertThat(count("select count(*) from pg_indexes where indexname = ?", "ix_log_lines_text_trgm")).isEqualTo(1);
    }
}
