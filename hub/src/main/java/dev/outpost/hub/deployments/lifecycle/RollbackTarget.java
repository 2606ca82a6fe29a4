package dev.outpost.hub.deployments.lifecycle;

import dev.outpost.hub.api.ApiException;
import io.micronaut.http.HttpStatus;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Which revision a rollback returns to. Without a number: the last one that worked when the latest
 * change failed (undoing a failed upgrade), otherwise the one before the current one.
 */
public final class RollbackTarget {
    private RollbackTarget() {
    }

    /**
     * The revision to return to among {@code kept} (newest first).
     *
     * @param current   the deployment's current revision, null if none succeeded yet
     * @param lastFailed whether the deployment's latest operation failed
     * @param requested the revision asked for, or null
     * @throws ApiException 409 when there is nothing to return to, 422 for a revision not kept
     */
    public static Revision choose(String deploymentId, List<Revision> kept, Long current, boolean lastFailed,
                                  Long requested) {
        if (current == null || kept.isEmpty()) {
            throw ApiException.conflict("deployment " + deploymentId + " has no revision yet: no create or update of "
                    + "it has succeeded, so there is nothing to roll back to");
        }
        if (requested != null) {
            return kept.stream().filter(r -> r.number() == requested).findFirst()
                    .orElseThrow(() -> new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, "revision " + requested
                            + " is not a kept revision of deployment " + deploymentId + " (kept: " + numbers(kept) + ")"));
        }
        if (lastFailed) {
            return kept.stream().filter(r -> r.number() == current).findFirst().orElseThrow();
        }
        return kept.stream().filter(r -> r.number() < current).findFirst()
                .orElseThrow(() -> ApiException.conflict("deployment " + deploymentId + " has no revision before its "
                        + "current revision " + current + " (kept: " + numbers(kept) + ")"));
    }

    private static String numbers(List<Revision> kept) {
        return kept.stream().map(r -> Long.toString(r.number())).collect(Collectors.joining(", "));
    }
}
