package dev.outpost.hub.logs;

import java.util.Optional;

/**
 * What a log query is limited to. {@code tenantId} is already the caller's scope (Caller.tenantFilter);
 * {@code fromNs} is inclusive and {@code toNs} exclusive, Unix epoch nanoseconds.
 */
public record LogFilter(Optional<String> tenantId, Optional<String> environmentId, Optional<String> deploymentId,
        Optional<String> pod, Optional<String> container, Optional<Long> fromNs, Optional<Long> toNs,
        Optional<String> contains, Optional<String> regex) {
}
