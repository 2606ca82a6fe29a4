package dev.outpost.hub.deployments;

import dev.outpost.hub.deployments.CommandStore.CommandLink;
import dev.outpost.hub.ops.HubMetrics;
import dev.outpost.hub.store.Database;
import dev.outpost.hub.store.Sql;
import dev.outpost.protocol.FieldLimits;
import dev.outpost.protocol.text.FreeText;
import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.CommandProgress;
import dev.outpost.protocol.v1.CommandResult;
import dev.outpost.protocol.v1.Outcome;
import dev.outpost.protocol.v1.Step;
import dev.outpost.protocol.v1.StepState;
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
        Optional<Finished> finished = db.inTransaction(sql -> {
            Optional<Operation> op = operationOf(sql, environmentId, agentId, result.getCommandId());
            if (op.isEmpty()) {
                return Optional.<Finished>empty();
            }
            // the command as queued: what a successful apply must have applied
            Command command = commands.find(sql, result.getCommandId()).orElseThrow();
            Optional<String> mismatch = succeeded && op.get().type() != Operation.Type.DELETE && result.hasApplied()
                    ? AppliedClaims.resultProblem(command, result.getApplied()) : Optional.empty();
            // A result that does not answer its command is stored as nothing but the hub's own reason.
            byte[] stored = mismatch.isPresent() ? null : result.toByteArray();
            if (!commands.answer(sql, environmentId, agentId, result.getCommandId(), stored, now)) {
                return Optional.<Finished>empty();
            }
            if (mismatch.isPresent()) {
                refuse(sql, op.get(), mismatch.get(), now);
            } else {
                finish(sql, op.get(), command, result, succeeded, now);
            }
            return Optional.of(new Finished(op.get(), mismatch));
        });
        finished.ifPresentOrElse(f -> logFinished(f, result, succeeded),
                () -> LOG.info("result for command {} from agent {} of environment {} ignored: unknown, already answered, "
                        + "or the agent is no longer the environment's", FreeText.forLog(result.getCommandId()), agentId,
                        environmentId));
    }

    /** An answered command's operation, and why its result was refused if it was. */
    private record Finished(Operation operation, Optional<String> refusal) {
    }

    private void logFinished(Finished finished, CommandResult result, boolean succeeded) {
        Operation op = finished.operation();
        if (finished.refusal().isPresent()) {
            metrics.claimsRefused("result_applied", 1);
            metrics.operationFinished(op.type().json(), "failed");
            LOG.warn("operation {} ({}) failed: tenant {} deployment {} generation {}: result of command {} refused, "
                            + "nothing of it stored: {}", op.id(), op.type().json(), op.tenantId(), op.deploymentId(),
                    op.generation(), FreeText.forLog(result.getCommandId()), finished.refusal().get());
            return;
        }
        String outcome = succeeded ? "succeeded" : "failed";
        metrics.operationFinished(op.type().json(), outcome);
        if (succeeded) {
            LOG.info("operation {} ({}) succeeded: tenant {} deployment {} generation {}",
                    op.id(), op.type().json(), op.tenantId(), op.deploymentId(), op.generation());
        } else {
            LOG.warn("operation {} ({}) failed: tenant {} deployment {} generation {}: {}", op.id(),
                    op.type().json(), op.tenantId(), op.deploymentId(), op.generation(),
                    FreeText.forLog(result.getFailureReason()));
        }
    }

    /** Fails the operation with the hub's reason; the deployment keeps what it had applied. */
    private void refuse(Sql sql, Operation op, String mismatch, Instant now) {
        String reason = "the agent's result does not match the command: " + mismatch;
        List<Operation.Step> steps = operations.find(sql, op.id()).orElseThrow().steps(); // as last reported
        operations.finish(sql, op.id(), Operation.Status.FAILED, reason, steps, now);
        deployments.finishOperation(sql, op.deploymentId(), op.id(), Deployment.Status.FAILED, reason, null, null, now);
    }

    private void finish(Sql sql, Operation op, Command command, CommandResult result, boolean succeeded, Instant now) {
        String reason = succeeded ? null : failureReason(result);
        operations.finish(sql, op.id(), succeeded ? Operation.Status.SUCCEEDED : Operation.Status.FAILED, reason,
                steps(result.getStepsList()), now);
        if (op.type() == Operation.Type.DELETE) {
            deployments.finishOperation(sql, op.deploymentId(), op.id(),
                    succeeded ? Deployment.Status.DELETED : Deployment.Status.FAILED,
                    succeeded ? null : "delete failed: " + reason, null, null, now);
        } else if (succeeded) {
            // What the command applies, as the hub renders it: a result's applied was checked to match it,
            // and one without applied is taken to have applied what it was sent.
            deployments.finishOperation(sql, op.deploymentId(), op.id(), Deployment.Status.READY, null,
                    command.getGeneration(), AppliedClaims.expectedHash(command), now);
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
        return cut(reason, FieldLimits.FAILURE_REASON_CHARS);
    }

    /**
     * The steps as stored: the first {@link FieldLimits#STEPS}, names and messages cut to their limits,
     * so one report stores at most a few hundred KB however many steps the agent sends.
     */
    static List<Operation.Step> steps(List<Step> steps) {
        return steps.stream().limit(FieldLimits.STEPS)
                .map(s -> new Operation.Step(cut(s.getName(), FieldLimits.STEP_NAME_CHARS), stepState(s),
                        cut(s.getMessage(), FieldLimits.STEP_MESSAGE_CHARS)))
                .toList();
    }

    /** {@code text} cut to {@code maxCodePoints}, ending in "…" when cut. */
    static String cut(String text, int maxCodePoints) {
        if (text.codePointCount(0, text.length()) <= maxCodePoints) {
            return text;
        }
        return text.substring(0, text.offsetByCodePoints(0, maxCodePoints - 1)) + "…";
    }

    private static String stepState(Step step) {
        // An unset or unknown state (a malformed report, or a newer revision's state) is shown as pending:
        // the API documents five states, and the result decides how the operation ends anyway.
        if (step.getState() == StepState.STEP_STATE_UNSPECIFIED || step.getState() == StepState.UNRECOGNIZED) {
            return "pending";
        }
        String name = step.getState().name();
        return (name.startsWith(STEP_STATE_PREFIX) ? name.substring(STEP_STATE_PREFIX.length()) : name)
                .toLowerCase(Locale.ROOT);
    }
}
