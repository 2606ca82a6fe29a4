package dev.outpost.hub.logs;

import java.time.Instant;
import java.util.List;

/** The JSON bodies of the logs endpoints; times are RFC 3339 with the line's nanoseconds. */
public final class LogViews {
    private LogViews() {
    }

    /** GET /api/v1/logs. */
    public record Page(List<Line> lines, String nextCursor) {
    }

    public record Line(Instant time, String tenantId, String environmentId, String deploymentId, String namespace,
            String pod, String container, String stream, String text, boolean truncated) {
        static Line of(StoredLogLine l) {
            return new Line(instant(l.timeNs()), l.tenantId(), l.environmentId(), l.deploymentId(), l.namespace(),
                    l.pod(), l.container(), l.stream(), l.text(), l.truncated());
        }
    }

    /**
     * Lines of one deployment that look like errors ({@link LogErrorLines}) since {@code since}: how
     * many of the lines read matched, the latest few, and whether there were more lines than were read.
     */
    public record RecentErrors(Instant since, int linesRead, boolean moreNotRead, int errorLines, List<Line> latest) {
    }

    /** GET /api/v1/logs/sources. */
    public record Sources(List<Source> items) {
    }

    public record Source(String agentId, String tenantId, String environmentId, String deploymentId, String namespace,
            String pod, String podUid, String container, long storedLines, long droppedLines, Instant lastLineTime,
            Instant updatedAt) {
        static Source of(LogSourceSummary s) {
            return new Source(s.agentId(), s.tenantId(), s.environmentId(), s.deploymentId(), s.namespace(), s.pod(),
                    s.podUid(), s.container(), s.storedLines(), s.droppedLines(),
                    s.lastLineNs() == null ? null : instant(s.lastLineNs()), s.updatedAt());
        }
    }

    static Instant instant(long ns) {
        return Instant.ofEpochSecond(Math.floorDiv(ns, 1_000_000_000L), Math.floorMod(ns, 1_000_000_000L));
    }

    static long nanos(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L), instant.getNano());
    }
}
