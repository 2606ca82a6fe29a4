package dev.outpost.hub.logs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Keeps LogIngestBenchmark working: a tiny run on the test PostgreSQL (the benchmark itself checks
 * that every line it sent was stored and every COPY took its rows). Its numbers mean nothing.
 */
class LogIngestBenchmarkSmokeIT {
    @Test
    void theBenchmarkRunsAndReportsEveryMeasurement() throws Exception {
        String report = LogIngestBenchmark.run(20_000, 240_000, 5);

        assertThat(report).contains("BENCH logs ingest: 20000 lines", "BENCH logs fill: 220000 more lines",
                "240000 lines");
        assertThat(report.lines().filter(l -> l.startsWith("BENCH logs query:"))).hasSize(7);
        // the synthetic data has what each query looks for (240 lines per source an hour: 1 rare word in 1000)
        assertThat(report.lines().filter(l -> l.startsWith("BENCH logs query:")))
                .noneMatch(l -> l.contains(" 0 lines each"));
    }
}
