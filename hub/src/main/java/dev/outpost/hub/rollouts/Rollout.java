package dev.outpost.hub.rollouts;

import java.time.Instant;
import java.util.List;

/**
 * One request that upgraded many deployments to one release: what it matched, and how its targets'
 * update operations stand now. {@code tenantId} is null for a vendor's rollout over every tenant.
 */
public record Rollout(String id, String tenantId, String releaseId, List<String> fromReleaseIds,
                      List<String> environmentIds, String createdBy, Instant createdAt, Progress progress,
                      List<Skipped> firstSkipped) {

    /** The most skipped targets a rollout lists with their reasons; {@link Progress#skipped()} counts all. */
    public static final int SKIPPED_LISTED = 100;

    /** How a rollout's targets stand: counts of their operations by status, and of targets skipped. */
    public record Progress(long pending, long running, long succeeded, long failed, long skipped) {
        /** Every deployment the rollout matched. */
        public long targets() {
            return pending + running + succeeded + failed + skipped;
        }

        /** running while any operation is active; then failed if any failed (or was cancelled), else succeeded. */
        public Status status() {
            if (pending + running > 0) {
                return Status.RUNNING;
            }
            return failed > 0 ? Status.FAILED : Status.SUCCEEDED;
        }
    }

    /** A target left out, and why (another operation was active, it could not be planned, ...). */
    public record Skipped(String deploymentId, String reason) {
    }

    /** Where a rollout stands as a whole. */
    public enum Status {
        RUNNING, SUCCEEDED, FAILED
    }
}
