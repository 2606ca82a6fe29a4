package dev.outpost.hub.usage;

import java.util.Objects;

/** What the rules say about one record: accepted as {@code row}, or refused for {@code reason}. */
public record UsageVerdict(UsageRow row, String reason) {

    public static UsageVerdict accepted(UsageRow row) {
        return new UsageVerdict(Objects.requireNonNull(row), null);
    }

    public static UsageVerdict rejected(String reason) {
        return new UsageVerdict(null, Objects.requireNonNull(reason));
    }

    public boolean isAccepted() {
        return row != null;
    }
}
