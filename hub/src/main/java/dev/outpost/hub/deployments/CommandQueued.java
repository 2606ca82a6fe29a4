package dev.outpost.hub.deployments;

/**
 * Event published in-process when a command is queued for an environment, so that this replica's
 * gateway session pushes it at once instead of at its next poll.
 */
public record CommandQueued(String environmentId) {
}
