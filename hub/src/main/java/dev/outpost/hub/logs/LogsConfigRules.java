package dev.outpost.hub.logs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** What makes outpost.logs.* settings unusable; the hub refuses to start naming each key. */
final class LogsConfigRules {
    private LogsConfigRules() {
    }

    /** The config, or an IllegalStateException listing every problem. */
    static LogsConfig checked(LogsConfig config) {
        List<String> problems = problems(config);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Invalid hub configuration: " + String.join("; ", problems));
        }
        return config;
    }

    static List<String> problems(LogsConfig c) {
        List<String> problems = new ArrayList<>();
        atLeast(problems, "outpost.logs.retention", c.getRetention(), Duration.ofHours(1));
        atLeast(problems, "outpost.logs.retention-interval", c.getRetentionInterval(), Duration.ofSeconds(10));
        atLeast(problems, "outpost.logs.query-timeout", c.getQueryTimeout(), Duration.ofMillis(100));
        atLeast(problems, "outpost.logs.tail-poll-interval", c.getTailPollInterval(), Duration.ofMillis(50));
        atLeast(problems, "outpost.logs.tail-max-duration", c.getTailMaxDuration(), Duration.ofSeconds(10));
        atLeast(problems, "outpost.logs.tail-idle-timeout", c.getTailIdleTimeout(), Duration.ofSeconds(10));
        // The issue asks for new lines within 2 s; a slower poll could not keep that.
        if (c.getTailPollInterval().compareTo(Duration.ofSeconds(1)) > 0) {
            problems.add("outpost.logs.tail-poll-interval (" + c.getTailPollInterval() + ") must be at most 1s");
        }
        if (c.getRetentionBatchSize() < 100 || c.getRetentionBatchSize() > 100_000) {
            problems.add("outpost.logs.retention-batch-size (" + c.getRetentionBatchSize() + ") must be 100 to 100000");
        }
        if (c.getMaxTails() < 1 || c.getMaxTails() > 1000) {
            problems.add("outpost.logs.max-tails (" + c.getMaxTails() + ") must be 1 to 1000");
        }
        return problems;
    }

    private static void atLeast(List<String> problems, String key, Duration value, Duration least) {
        if (value == null || value.compareTo(least) < 0) {
            problems.add(key + " (" + value + ") must be at least " + least);
        }
    }
}
