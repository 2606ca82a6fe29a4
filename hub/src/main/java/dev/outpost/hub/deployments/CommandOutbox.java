package dev.outpost.hub.deployments;

import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.CommandProgress;
import dev.outpost.protocol.v1.CommandResult;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

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
     * {@link #unanswered} for many streams at once (a fan-out wakes thousands): for each agent of
     * {@code agentsByEnvironment}, by agent id, what {@code unanswered} would give it. The database's
     * outbox answers with one query per batch of environments; this default asks once per agent.
     */
    default Map<String, List<Command>> unansweredFor(Map<String, Set<String>> agentsByEnvironment, int limit) {
        Map<String, List<Command>> byAgent = new HashMap<>();
        agentsByEnvironment.forEach((environmentId, agentIds) -> agentIds.forEach(agentId ->
                byAgent.put(agentId, unanswered(environmentId, agentId, limit))));
        return byAgent;
    }

    /**
     * The environments with a command queued and not yet sent, or a withdrawal to send (by any
     * replica): what a gateway's poll wakes, so that it asks the outbox once for all its streams
     * rather than once per stream.
     */
    Set<String> environmentsWithQueued();

    /**
     * Cancelled commands the agent said it holds for approval and has not yet answered, oldest first:
     * each is sent as a Withdraw on every stream until the agent answers it. Empty unless
     * {@code agentId} is the environment's current agent.
     */
    List<CommandStore.Withdrawal> withdrawals(String environmentId, String agentId, int limit);

    /**
     * Records that the command was written to the agent's stream; the hub's database may record it a
     * moment later, together with other streams' marks (see {@code SentMarks}).
     */
    void markSent(String commandId, String agentId);

    /**
     * Applies a progress report (operation becomes running, steps updated), or, when it says the
     * agent holds the command for the customer's approval, records the hold instead (the result
     * deadline stops; the first progress after it restarts the deadline). Ignored when the command
     * does not belong to the environment, already has a result, or {@code agentId} is not the
     * environment's current agent.
     */
    void progress(String environmentId, String agentId, CommandProgress progress);

    /**
     * Applies a result: the command is answered, its operation and deployment take the outcome.
     * Idempotent: a result for an already answered command changes nothing, apart from acknowledging
     * a withdrawal of that command. Ignored when the command
     * does not belong to the environment or {@code agentId} is not the environment's current agent.
     */
    void result(String environmentId, String agentId, CommandResult result);

    /**
     * {@link #progress}, applied soon rather than now: the database's outbox records many streams'
     * reports in one transaction. {@code then} is told once it is applied (null) or why it was not.
     * This default applies it now, on the calling thread.
     */
    default void progressSoon(String environmentId, String agentId, CommandProgress progress,
                              Consumer<RuntimeException> then) {
        applyNow(() -> progress(environmentId, agentId, progress), then);
    }

    /** {@link #result}, applied soon rather than now, as {@link #progressSoon}. */
    default void resultSoon(String environmentId, String agentId, CommandResult result,
                            Consumer<RuntimeException> then) {
        applyNow(() -> result(environmentId, agentId, result), then);
    }

    private static void applyNow(Runnable report, Consumer<RuntimeException> then) {
        RuntimeException error = null;
        try {
            report.run();
        } catch (RuntimeException e) {
            error = e;
        }
        then.accept(error);
    }
}
