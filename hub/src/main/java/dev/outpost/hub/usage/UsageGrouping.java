package dev.outpost.hub.usage;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;

/** The periods usage is summed over, in UTC. */
public enum UsageGrouping {
    HOUR, DAY, MONTH;

    /** The grouping named {@code text} ("hour", "day", "month"). */
    public static Optional<UsageGrouping> parse(String text) {
        for (UsageGrouping g : values()) {
            if (g.json().equals(text)) {
                return Optional.of(g);
            }
        }
        return Optional.empty();
    }

    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The start of the UTC period {@code hour} falls in. */
    public Instant periodOf(Instant hour) {
        OffsetDateTime utc = hour.atOffset(ZoneOffset.UTC);
        return switch (this) {
            case HOUR -> utc.truncatedTo(ChronoUnit.HOURS).toInstant();
            case DAY -> utc.truncatedTo(ChronoUnit.DAYS).toInstant();
            case MONTH -> utc.truncatedTo(ChronoUnit.DAYS).withDayOfMonth(1).toInstant();
        };
    }
}
