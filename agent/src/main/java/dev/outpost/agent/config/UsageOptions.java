package dev.outpost.agent.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** How the agent meters usage: the window grid, how far it catches up, the spool's bound and the journal. */
public record UsageOptions(Duration interval, Duration catchUp, long spoolMaxBytes, Optional<Path> journal) {
    /** 60s windows, one hour of catch-up, a 64 MiB spool, no journal. */
    public static final UsageOptions DEFAULTS = new UsageOptions(Duration.ofSeconds(60), Duration.ofHours(1),
            64L << 20, Optional.empty());

    @Override
    public String toString() {
        return "usage-interval=" + interval.toSeconds() + "s usage-catch-up=" + catchUp.toSeconds()
                + "s usage-spool-max-bytes=" + spoolMaxBytes + " usage-journal=" + journal.map(Path::toString).orElse("(none)");
    }
}
