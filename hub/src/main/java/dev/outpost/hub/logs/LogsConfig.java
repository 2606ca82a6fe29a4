package dev.outpost.hub.logs;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/** The settings of stored logs, under {@code outpost.logs.} (docs/configuration.md). */
@ConfigurationProperties("outpost.logs")
public interface LogsConfig {

    /** Lines older than this (by their time) are deleted. */
    @Bindable(defaultValue = "7d")
    Duration getRetention();

    /** How often the retention job runs. */
    @Bindable(defaultValue = "10m")
    Duration getRetentionInterval();

    /** Lines one delete statement of the retention job removes at most (short transactions, short locks). */
    @Bindable(defaultValue = "10000")
    int getRetentionBatchSize();

    /** Longest a log query may run on the database before it is cancelled (bounds a costly regex). */
    @Bindable(defaultValue = "5s")
    Duration getQueryTimeout();

    /** Most live tails ({@code follow=true}) open at once on this hub; more are refused with 429. */
    @Bindable(defaultValue = "32")
    int getMaxTails();

    /** How often a live tail reads new lines from the database. */
    @Bindable(defaultValue = "300ms")
    Duration getTailPollInterval();

    /** Longest a live tail stays open; the client reconnects for more. */
    @Bindable(defaultValue = "1h")
    Duration getTailMaxDuration();

    /** A live tail with no new line this long is closed. */
    @Bindable(defaultValue = "15m")
    Duration getTailIdleTimeout();
}
