package dev.outpost.hub.deployments;

import java.util.List;

/**
 * Event published in-process when commands are queued for environments, so that this replica's
 * gateway sessions push them at once instead of at their next poll: one event for a whole batch (a
 * rollout's thousands), not one per environment.
 */
public record CommandQueued(List<String> environmentIds) {
    public CommandQueued {
        environmentIds = List.copyOf(environmentIds);
    }

    /** For one environment. */
    public CommandQueued(String environmentId) {
        this(List.of(environmentId));
    }
}
