package dev.outpost.hub.rollouts;

import java.time.Instant;
import java.util.List;

/** A rollout as the REST API shows it (see the Rollout schema in the API description). */
public record RolloutResponse(String id, String tenantId, String releaseId, List<String> fromReleaseIds,
                              List<String> environmentIds, String createdBy, Instant createdAt, String status,
                              long targets, Operations operations, long skipped, List<Rollout.Skipped> skippedTargets) {

    /** The targets' update operations by status. */
    public record Operations(long pending, long running, long succeeded, long failed) {
    }

    static RolloutResponse of(Rollout rollout) {
        Rollout.Progress p = rollout.progress();
        return new RolloutResponse(rollout.id(), rollout.tenantId(), rollout.releaseId(), rollout.fromReleaseIds(),
                rollout.environmentIds(), rollout.createdBy(), rollout.createdAt(),
                p.status().name().toLowerCase(java.util.Locale.ROOT), p.targets(),
                new Operations(p.pending(), p.running(), p.succeeded(), p.failed()), p.skipped(),
                rollout.firstSkipped());
    }
}
