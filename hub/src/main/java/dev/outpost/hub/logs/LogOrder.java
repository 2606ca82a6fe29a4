package dev.outpost.hub.logs;

import java.util.Optional;

/** The order of a page of lines: by time, then by id (the order lines of one source were stored in). */
public enum LogOrder {
    NEWEST, OLDEST;

    /** The order a query parameter names ("newest" or "oldest"), or empty. */
    static Optional<LogOrder> parse(String text) {
        return switch (text) {
            case "newest" -> Optional.of(NEWEST);
            case "oldest" -> Optional.of(OLDEST);
            default -> Optional.empty();
        };
    }

    String wireName() {
        return this == NEWEST ? "newest" : "oldest";
    }
}
