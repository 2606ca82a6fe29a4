package dev.outpost.hub.logs;

import java.util.Optional;

/** The query parameters of GET /api/v1/logs as sent, before they are checked. */
public record LogQueryParams(Optional<String> tenantId, Optional<String> environmentId, Optional<String> deploymentId,
        Optional<String> pod, Optional<String> container, Optional<String> from, Optional<String> to,
        Optional<String> contains, Optional<String> regex) {
}
