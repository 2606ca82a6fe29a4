package dev.outpost.hub.deployments;

import dev.outpost.hub.deployments.CommandStore.CommandLink;
import dev.outpost.hub.ops.HubMetrics;
import dev.outpost.hub.store.Database;
import dev.outpost.hub.store.Sql;
import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.CommandProgress;
import dev.outpost.protocol.v1.CommandResult;
import dev.outpost.protocol.v1.Outcome;
import dev.outpost.protocol.v1.Step;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link CommandOutbox} on the hub's database; results move operations and deployments along. */
@Singleton
public class JdbcCommandOutbox implements CommandOutbox {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcCommandOutbox.class);
    private static final String STEP_STATE_PREFIX = "STEP_STATE_";
    private static final int MAX_REASON_CHARS = 3000;

    private final Database db;
    private final CommandStore commands;
    private final OperationStore operations;
    private final DeploymentStore deployments;
    private final HubMetrics metrics;
    private final Clock clock;

    public JdbcCommandOutbox(Database db, CommandStore commands, OperationStore operations,
                             DeploymentStore deployments, HubMetrics metrics, Clock clock) {
        this.db = db;
        this.commands = commands;
        this.operations = operations;
        this.deployments = deployments;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public List<Command> unanswered(String environmentId, String agentId, int limit) {
        return db.read(sql -> commands.unanswered(sql, environmentId, agentId, limit));
    }

    @Override
    public void markSent(String commandId, String agentId) {
        db.inTransaction(sql -> {
            commands.markSent(sql, commandId, agentId, clock.instant());
            return null;
        });
    }

    @Override
    public void progress(String environmentId, String agentId, CommandProgress progress) {
        Instant now = clock.instant();
        Optional<Operation> running = db.inTransaction(sql -> {
            Optional<Operation> op = operationOf(sql, environmentId, agentId, progress.getCommandId());
            op.ifPresent(o -> {
                operations.markRunning(sql, o.id(), steps(progress.getStepsList()), now);
                if (o.type() != Operation.Type.DELETE) {
                    deployments.setProgressing(sql, o.deploymentId(), o.id(), now);
                }
            });
            return op;
        });
        running.filter(op -> op.status() == Operation.Status.PENDING).ifPresent(op ->
                LOG.info("operation {} running: tenant {} deployment {} command {}",
                        op.id(), op.tenantId(), op.deploymentId(), progress.getCommandId()));
    }

    @Override
    public void result(String environmentId, String agentId, CommandResult result) {
        Instant now = clock.instant();
        boolean succeeded = result.getOutcome() == Outcome.OUTCOME_SUCCEEDED;
        Optional<Operation> finished = db.inTransaction(sql -> {
            Optional<Operation> op = operationOf(sql, environmentId, agentId, result.getCommandId());
            if (op.isEmpty() || !commands.answer(sql, environmentId, agentId, result.getCommandId(),
                    result.toByteArray(), now)) {
                return Optional.<Operation>empty();
            }
            finish(sql, op.get(), result, succeeded, now);
            return op;
        });
        finished.ifPresentOrElse(op -> {
            String outcome = succeeded ? "succeeded" : "failed";
            metrics.operationFinished(op.type().json(), outcome);
            if (succeeded) {
                LOG.info("operation {} ({}) succeeded: tenant {} deployment {} generation {}",
                        op.id(), op.type().json(), op.tenantId(), op.deploymentId(), op.generation());
            } else {
                LOG.warn("operation {} ({}) failed: tenant {} deployment {} generation {}: {}", op.id(),
                        op.type().json(), op.tenantId(), op.deploymentId(), op.generation(), result.getFailureReason());
            }
        }, () -> LOG.info("result for command {} from agent {} of environment {} ignored: unknown, already answered, "
                + "or the agent is no longer the environment's", result.getCommandId(), agentId, environmentId));
    }

    private void finish(Sql sql, Operation op, CommandResult result, boolean succeeded, Instant now) {
        String reason = succeeded ? null : failureReason(result);
        operations.finish(sql, op.id(), succeeded ? Operation.Status.SUCCEEDED : Operation.Status.FAILED, reason,
                steps(result.getStepsList()), now);
        if (op.type() == Operation.Type.DELETE) {
            deployments.finishOperation(sql, op.deploymentId(), op.id(),
                    succeeded ? Deployment.Status.DELETED : Deployment.Status.FAILED,
                    succeeded ? null : "delete failed: " + reason, null, null, now);
        } else if (succeeded) {
            Long generation = result.hasApplied() ? result.getApplied().getGeneration() : op.generation();
            String hash = result.hasApplied() ? result.getApplied().getContentHash() : null;
            deployments.finishOperation(sql, op.deploymentId(), op.id(), Deployment.Status.READY, null, generation,
                    hash, now);
        } else {
            deployments.finishOperation(sql, op.deploymentId(), op.id(), Deployment.Status.FAILED, reason, null, null, now);
        }
    }

    /**
     * The operation of an unanswered command of the environment, or empty (foreign, unknown, answered,
     * or the agent is not the environment's current one).
     */
    private Optional<Operation> operationOf(Sql sql, String environmentId, String agentId, String commandId) {
        return commands.findUnanswered(sql, environmentId, agentId, commandId)
                .map(CommandLink::operationId)
                .flatMap(id -> operations.find(sql, id));
    }

    /** The agent's reason, cut to what the columns hold. */
    private static String failureReason(CommandResult result) {
        String reason = result.getFailureReason().isBlank()
                ? "the agent reported failure without a reason" : result.getFailureReason();
        return reason.length() <= MAX_REASON_CHARS ? reason : reason.substring(0, MAX_REASON_CHARS - 1) + "…";
    }

    static List<Operation.Step> steps(List<Step> steps) {
        return steps.stream().map(s -> new Operation.Step(s.getName(), stepState(s), s.getMessage())).toList();
    }

    private static String stepState(Step step) {
        String name = step.getState().name();
        return (name.startsWith(STEP_STATE_PREFIX) ? name.substring(STEP_STATE_PREFIX.length()) : name)
                .toLowerCase(Locale.ROOT);
    }
}
