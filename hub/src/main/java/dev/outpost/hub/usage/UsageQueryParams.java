package dev.outpost.hub.usage;

import java.util.Optional;

/** The query parameters of the usage endpoints as sent, before they are checked. */
public record UsageQueryParams(Optional<String> tenantId, Optional<String> environmentId, Optional<String> deploymentId,
        Optional<String> meter, Optional<String> from, Optional<String> to) {
}
