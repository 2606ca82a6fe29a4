package dev.outpost.protocol;

import io.grpc.Metadata;
import io.grpc.Status;
import java.time.Duration;
import java.util.Optional;

/**
 * The hub's "busy, retry after" answer: a call it cannot take now ends with RESOURCE_EXHAUSTED and the
 * trailer {@code outpost-retry-after-ms}, the least time the agent should wait before it calls again.
 * Agents that know the trailer wait that long plus a random share of it (so a crowd refused together
 * does not come back together); older agents see RESOURCE_EXHAUSTED and use their own backoff.
 */
public final class BusyRetry {
    /** Milliseconds, decimal ASCII. */
    public static final Metadata.Key<String> RETRY_AFTER_MS =
            Metadata.Key.of("outpost-retry-after-ms", Metadata.ASCII_STRING_MARSHALLER);
    /** A hub never asks for more than this; a larger trailer is read as this. */
    public static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(5);

    private BusyRetry() {
    }

    /** Trailers telling the client to retry after {@code delay}. */
    public static Metadata trailers(Duration delay) {
        Metadata trailers = new Metadata();
        trailers.put(RETRY_AFTER_MS, Long.toString(Math.max(0, delay.toMillis())));
        return trailers;
    }

    /**
     * The delay a RESOURCE_EXHAUSTED status asked for, capped at {@link #MAX_RETRY_AFTER}; empty for any
     * other status, without the trailer, or with one that is not a number.
     */
    public static Optional<Duration> requested(Status status, Metadata trailers) {
        if (status.getCode() != Status.Code.RESOURCE_EXHAUSTED || trailers == null) {
            return Optional.empty();
        }
        String value = trailers.get(RETRY_AFTER_MS);
        if (value == null || value.isEmpty() || value.length() > 12 || !value.chars().allMatch(Character::isDigit)) {
            return Optional.empty();
        }
        Duration asked = Duration.ofMillis(Long.parseLong(value));
        return Optional.of(asked.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : asked);
    }

    /** The wait for a requested delay: uniformly random in [delay, 2·delay), from {@code random} in [0, 1). */
    public static Duration spread(Duration delay, double random) {
        return delay.plusMillis((long) (delay.toMillis() * Math.min(Math.max(random, 0), 0.999_999)));
    }
}
