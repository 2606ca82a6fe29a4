package dev.outpost.hub.deployments;

import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.CommandProgress;
import dev.outpost.protocol.v1.CommandResult;
import java.util.List;
import java.util.Set;

/**
 * The queue of commands for agents, as the agent gateway sees it. Commands are rows in the database
 * (an outbox), so any hub replica can queue one and whichever replica holds the agent's stream
 * delivers it. The gateway calls it; the deployments side implements it.
 */
public interface CommandOutbox {

    /**
     * Commands for the environment that have no result yet (queued or already sent), oldest first;
     * none unless {@code agentId} is the environment's current (non-revoked) agent, so that a revoked
     * or superseded agent's stream is never given one.
     */
    List<Command> unanswered(String environmentId, String agentId, int limit);

    /**
     * The environments with a command queued and not yet sent (by any replica): what a gateway's poll
     * wakes, so that it asks the outbox once for all its streams rather than once per stream.
     */
    Set<String> environmentsWithQueued();

    /** Records that the command was written to the agent's stream. */
    void markSent(String commandId, String agentId);

    /**
     * Applies a progress report (operation becomes running, steps updated). Ignored when the command
     * does not belong to the environment, already has a result, or {@code agentId} is not the
     * environment's current agent.
     */
    void progress(String environmentId, String agentId, CommandProgress progress);

    /**
     * Applies a result: the command is answered, its operation and deployment take the outcome.
     * Idempotent: a result for an already answered command changes nothing. Ignored when the command
     * does not belong to the environment or {@code agentId} is not the environment's current agent.
     */
    void result(String environmentId, String agentId, CommandResult result);
}
