package dev.outpost.hub.deployments;

import dev.outpost.hub.agents.Agent;
import dev.outpost.hub.agents.AgentStore;
import dev.outpost.hub.api.ApiException;
import dev.outpost.hub.config.HubConfig;
import dev.outpost.hub.api.Problem;
import dev.outpost.hub.store.Sql;
import io.micronaut.http.HttpStatus;
import jakarta.inject.Singleton;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What deployments depend on in their environment's agent: the namespaces it may touch (checked when
 * a deployment is created) and why an operation waits for it. Derived when read from the agent as it
 * is recorded now, so nothing is written per heartbeat.
 */
@Singleton
public class AgentWaits {
    private final AgentStore agents;
    private final CommandStore commands;
    private final HubConfig config;

    public AgentWaits(AgentStore agents, CommandStore commands, HubConfig config) {
        this.agents = agents;
        this.commands = commands;
        this.config = config;
    }

    /**
     * 422 naming /namespace when the environment's agent has said which namespaces it may touch and
     * {@code namespace} is not one; accepted when no agent has told yet (the agent refuses the command then).
     */
    public void requireAllowed(Sql sql, String environmentId, String namespace, boolean defaulted) {
        Optional<List<String>> allowed = agents.allowedNamespacesInEnvironment(sql, environmentId);
        if (allowed.isEmpty() || allowed.get().contains(namespace)) {
            return;
        }
        String list = String.join(", ", allowed.get());
        String which = defaulted ? "the default namespace '" + namespace + "' (no namespace was given)"
                : "namespace '" + namespace + "'";
        throw new ApiException(HttpStatus.UNPROCESSABLE_ENTITY,
                which + " is not one the agent of environment " + environmentId + " may touch; allowed: " + list,
                List.of(new Problem.FieldError("/namespace", "must be one of the agent's namespaces: " + list
                        + (defaulted ? " (give one; the default '" + namespace + "' is not among them)" : ""))));
    }

    /** Why an active operation in the environment makes no progress now, or empty when its agent is online and ready. */
    public Optional<String> reason(Sql sql, String environmentId) {
        return reason(environmentId, agents.currentInEnvironment(sql, environmentId));
    }

    private static Optional<String> reason(String environmentId, Optional<Agent> agent) {
        if (agent.isEmpty()) {
            return Optional.of("no agent has enrolled in environment " + environmentId
                    + " (create a join token for it and start an agent with it)");
        }
        Agent a = agent.get();
        if (!"online".equals(a.status())) {
            return Optional.of("waiting for agent " + a.id() + (a.lastSeenAt() == null
                    ? " (enrolled at " + a.enrolledAt() + ", never connected since)"
                    : " (offline since " + a.lastSeenAt() + ")"));
        }
        if (a.condition() != null && Agent.Condition.DEGRADED.equals(a.condition().state())) {
            return Optional.of("waiting for agent " + a.id() + " (degraded since " + a.condition().since() + ": "
                    + a.condition().reason() + ")");
        }
        return Optional.empty();
    }

    /**
     * Why {@code operationId} waits although its agent is ready: older operations of the environment
     * fill outpost.max-concurrent-operations-per-environment, and it is queued behind them (with its
     * place). Empty when it is among those that run.
     */
    public Optional<String> queued(Sql sql, String environmentId, String operationId) {
        return queued(environmentId, commands.unansweredAhead(sql, operationId));
    }

    private Optional<String> queued(String environmentId, Optional<Long> unansweredAhead) {
        int limit = config.getMaxConcurrentOperationsPerEnvironment();
        return unansweredAhead.filter(ahead -> ahead >= limit)
                .map(ahead -> "queued: number " + (ahead + 1) + " in environment " + environmentId + ", behind "
                        + ahead + " older operation(s); at most " + limit
                        + " run at once (outpost.max-concurrent-operations-per-environment)");
    }

    /**
     * Why the agent has not carried out {@code operationId}'s command although it has it: the
     * customer's approval mode holds it (with what the agent says the customer is asked to do).
     */
    public Optional<String> held(Sql sql, String operationId) {
        return commands.held(sql, operationId).map(AgentWaits::held);
    }

    private static String held(CommandStore.Held h) {
        return "waiting for the customer's approval at agent " + h.agentId() + " (held since " + h.since() + "): "
                + h.reason();
    }

    /**
     * Why an active operation makes no progress, first found of: its agent, the customer's approval,
     * its place in the environment's queue.
     */
    public Optional<String> ofOperation(Sql sql, String environmentId, String operationId) {
        return reason(sql, environmentId).or(() -> held(sql, operationId))
                .or(() -> queued(sql, environmentId, operationId));
    }

    /**
     * {@link #ofOperation} for many active operations (operation id to its environment's id) with a few
     * queries per 500 of them, not four each: for lists. Operations that do not wait are left out.
     */
    public Map<String, String> ofOperations(Sql sql, Map<String, String> environmentOfOperation) {
        Map<String, Agent> agentOf = agents.currentInEnvironments(sql, new HashSet<>(environmentOfOperation.values()));
        Map<String, CommandStore.Held> heldOf = commands.heldOf(sql, environmentOfOperation.keySet());
        Map<String, Long> aheadOf = commands.unansweredAheadOf(sql, environmentOfOperation.keySet());
        Map<String, Optional<String>> agentReasons = new HashMap<>();
        Map<String, String> reasons = new HashMap<>();
        for (Map.Entry<String, String> operation : environmentOfOperation.entrySet()) {
            String operationId = operation.getKey();
            String environmentId = operation.getValue();
            agentReasons.computeIfAbsent(environmentId, e -> reason(e, Optional.ofNullable(agentOf.get(e))))
                    .or(() -> Optional.ofNullable(heldOf.get(operationId)).map(AgentWaits::held))
                    .or(() -> queued(environmentId, Optional.ofNullable(aheadOf.get(operationId))))
                    .ifPresent(reason -> reasons.put(operationId, reason));
        }
        return reasons;
    }
}
