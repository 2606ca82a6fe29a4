package dev.outpost.hub.enrollment;

import java.time.Instant;

/**
 * A join token as listed: no secret, only its hash is stored. {@code uses} is how many it allows;
 * {@code revokedAt} is null unless it was revoked (which also ends it: expiresAt is then that moment).
 */
public record JoinToken(
        String id, String tenantId, String environmentId, Instant expiresAt, int uses, int used, Instant createdAt,
        Instant revokedAt) {
}
