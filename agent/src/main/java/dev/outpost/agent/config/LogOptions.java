package dev.outpost.agent.config;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Whether and how the agent ships its deployments' container logs. */
public record LogOptions(boolean enabled, long bufferMaxBytes, List<Pattern> maskPatterns, int maxSources) {
    /** On, an 8 MiB buffer, no extra patterns, at most 500 containers. */
    public static final LogOptions DEFAULTS = new LogOptions(true, 8L << 20, List.of(), 500);
    /** The smallest buffer: room for a full batch of long lines. */
    public static final long MIN_BUFFER_BYTES = 1L << 20;
    /** The most containers one agent follows (one log connection each). */
    public static final int MAX_SOURCES = 10_000;

    public LogOptions {
        maskPatterns = List.copyOf(maskPatterns);
    }

    @Override
    public String toString() {
        // only the patterns' count: a pattern may spell out part of what it hides
        return "logs=" + (enabled ? "on" : "off") + " log-buffer-max-bytes=" + bufferMaxBytes + " log-max-sources="
                + maxSources + " log-mask-patterns=" + maskPatterns.size();
    }

    /** The patterns' text, for tests. */
    public List<String> patternTexts() {
        return maskPatterns.stream().map(Pattern::pattern).collect(Collectors.toList());
    }
}
