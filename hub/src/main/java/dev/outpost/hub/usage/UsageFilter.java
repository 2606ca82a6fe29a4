package dev.outpost.hub.usage;

import java.time.Instant;
import java.util.Optional;

/**
 * What a usage query is limited to. {@code tenantId} is already the caller's scope (Caller.tenantFilter);
 * {@code from} is inclusive and {@code to} exclusive.
 */
public record UsageFilter(Optional<String> tenantId, Optional<String> environmentId, Optional<String> deploymentId,
        Optional<String> meter, Optional<Instant> from, Optional<Instant> to) {
}
