package dev.outpost.agent.logs;

/**
 * What {@code log-positions.json} keeps of one source: the last position the hub acknowledged and
 * the last one sent (written before the batch was sent); either is null when there is none yet.
 */
public record StoredSource(FollowedSource source, LinePosition acked, LinePosition sent) {
}
