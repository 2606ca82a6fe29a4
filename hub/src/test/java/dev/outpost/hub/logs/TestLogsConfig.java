package dev.outpost.hub.logs;

import java.time.Duration;

/** A LogsConfig for tests and benchmarks built without Micronaut: the documented defaults, each replaceable. */
record TestLogsConfig(Duration getRetention, Duration getRetentionInterval, int getRetentionBatchSize,
        Duration getQueryTimeout, int getMaxTails, Duration getTailPollInterval, Duration getTailMaxDuration,
        Duration getTailIdleTimeout) implements LogsConfig {

    /** The defaults of LogsConfig (docs/configuration.md). */
    static TestLogsConfig defaults() {
        return new TestLogsConfig(Duration.ofDays(7), Duration.ofMinutes(10), 10_000, Duration.ofSeconds(5), 32,
                Duration.ofMillis(300), Duration.ofHours(1), Duration.ofMinutes(15));
    }

    TestLogsConfig withRetention(Duration retention) {
        return new TestLogsConfig(retention, getRetentionInterval, getRetentionBatchSize, getQueryTimeout, getMaxTails,
                getTailPollInterval, getTailMaxDuration, getTailIdleTimeout);
    }

    TestLogsConfig withQueryTimeout(Duration timeout) {
        return new TestLogsConfig(getRetention, getRetentionInterval, getRetentionBatchSize, timeout, getMaxTails,
                getTailPollInterval, getTailMaxDuration, getTailIdleTimeout);
    }
}
