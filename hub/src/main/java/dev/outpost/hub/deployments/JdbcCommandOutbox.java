package dev.outpost.hub.deployments;

import dev.outpost.hub.config.HubConfig;
import dev.outpost.hub.deployments.CommandStore.CommandLink;
import dev.outpost.hub.deployments.lifecycle.OperationEvent;
import dev.outpost.hub.deployments.lifecycle.OperationLifecycle;
import dev.outpost.hub.deployments.lifecycle.RevisionStore;
import dev.outpost.hub.deployments.lifecycle.StepReports;
import dev.outpost.hub.ops.HubMetrics;
import dev.outpost.hub.store.Database;
import dev.outpost.hub.store.WrittenCommits;
import dev.outpost.hub.store.Sql;
import dev.outpost.protocol.FieldLimits;
import dev.outpost.protocol.text.FreeText;
import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.CommandProgress;
import dev.outpost.protocol.v1.CommandResult;
import dev.outpost.protocol.v1.Outcome;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link CommandOutbox} on the hub's database; results move operations and deployments along. */
@Singleton
public class JdbcCommandOutbox implements CommandOutbox, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcCommandOutbox.class);

    private final Database db;
    private final CommandStore commands;
    private final OperationStore operations;
    private final DeploymentStore deployments;
    private final RevisionStore revisions;
    private final HubConfig config;
    private final HubMetrics metrics;
    private final Clock clock;
    private final SentMarks sentMarks;
    private final ReportBatches reports;
    /** What is sent to agents is read only once the commits it could come from are written. */
    private final WrittenCommits written;

    public JdbcCommandOutbox(Database db, CommandStore commands, OperationStore operations,
                             DeploymentStore deployments, RevisionStore revisions, HubConfig config, HubMetrics metrics,
                             Clock clock, WrittenCommits written) {
        this.db = db;
        this.written = written;
        this.commands = commands;
        this.operations = operations;
        this.deployments = deployments;
        this.revisions = revisions;
        this.config = config;
        this.metrics = metrics;
        this.clock = clock;
        this.sentMarks = new SentMarks(db, commands);
        this.reports = new ReportBatches(db, sentMarks::flushThen);
    }

    /** Records the agent reports and sent marks still waiting (the hub stops). */
    @PreDestroy
    @Override
    public void close() {
        reports.close();
        sentMarks.close();
    }

    @Override
    public List<Command> unanswered(String environmentId, String agentId, int limit) {
        // The oldest N unanswered (sent or queued) are the ones in flight: a queued command goes out only
        // once fewer than N older ones are left, so at most N operations of the environment run at once.
        int inFlight = Math.min(limit, config.getMaxConcurrentOperationsPerEnvironment());
        return readWritten(sql -> commands.unanswered(sql, environmentId, agentId, inFlight));
    }

    @Override
    public Map<String, List<Command>> unansweredFor(Map<String, Set<String>> agentsByEnvironment, int limit) {
        int inFlight = Math.min(limit, config.getMaxConcurrentOperationsPerEnvironment());
        Map<String, List<Command>> current = readWritten(sql -> commands.unansweredIn(sql,
                agentsByEnvironment.keySet(), inFlight));
        Map<String, List<Command>> byAgent = new java.util.HashMap<>();
        agentsByEnvironment.values().forEach(agentIds -> agentIds.forEach(agentId ->
                byAgent.put(agentId, current.getOrDefault(agentId, List.of()))));
        return byAgent;
    }

    @Override
    public Set<String> environmentsWithQueued() {
        return db.read(commands::environmentsWithQueued);
    }

    @Override
    public List<CommandStore.Withdrawal> withdrawals(String environmentId, String agentId, int limit) {
        return readWritten(sql -> commands.withdrawals(sql, environmentId, agentId, limit));
    }

    /** A read of what to send agents: answered only once the commits it overlapped are written. */
    private <T> T readWritten(Database.Work<T> read) {
        return written.read(() -> db.read(read));
    }

    @Override
    public void markSent(String commandId, String agentId) {
        sentMarks.add(new SentMarks.Mark(commandId, agentId, clock.instant()));
    }

    @Override
    public void progress(String environmentId, String agentId, CommandProgress progress) {
        if (holds(progress)) {
            sentMarks.flush(); // a hold needs its command marked sent
        }
        db.inTransaction(sql -> applyProgress(sql, environmentId, agentId, progress)).run();
    }

    @Override
    public void progressSoon(String environmentId, String agentId, CommandProgress progress,
                             Consumer<RuntimeException> then) {
        reports.add(new ReportBatches.Report(sql -> applyProgress(sql, environmentId, agentId, progress), then));
    }

    @Override
    public void result(String environmentId, String agentId, CommandResult result) {
        db.inTransaction(sql -> applyResult(sql, environmentId, agentId, result)).run();
    }

    @Override
    public void resultSoon(String environmentId, String agentId, CommandResult result,
                           Consumer<RuntimeException> then) {
        reports.add(new ReportBatches.Report(sql -> applyResult(sql, environmentId, agentId, result), then));
    }

    /** Whether the progress says the agent holds the command for approval (which needs it marked sent first). */
    private static boolean holds(CommandProgress progress) {
        return !progress.getAwaitingApproval().isEmpty();
    }

    /** Applies a progress report in {@code sql}'s transaction; what to log once it committed. */
    private Runnable applyProgress(Sql sql, String environmentId, String agentId, CommandProgress progress) {
        if (holds(progress)) {
            return hold(sql, environmentId, agentId, progress);
        }
        Instant now = clock.instant();
        Optional<Operation> op = operationOf(sql, environmentId, agentId, progress.getCommandId())
                .filter(Operation::active);
        boolean approved = op.isPresent() && commands.release(sql, environmentId, progress.getCommandId(), now);
        op.ifPresent(o -> {
            Operation.Status next = OperationLifecycle.next(o.status(), OperationEvent.PROGRESS);
            if (operations.markRunning(sql, o.id(), o.status(), next, StepReports.of(progress.getStepsList()), now)) {
                OperationLifecycle.statusWhileRunning(o.type()).ifPresent(status ->
                        deployments.setStatus(sql, o.deploymentId(), o.id(), status, now));
            }
        });
        return () -> op.ifPresent(o -> {
            if (approved) {
                LOG.info("operation {} approved by the customer at agent {}: tenant {} deployment {} command {}",
                        o.id(), agentId, o.tenantId(), o.deploymentId(), progress.getCommandId());
            }
            if (o.status() == Operation.Status.PENDING) {
                LOG.debug("operation {} running: tenant {} deployment {} command {}",
                        o.id(), o.tenantId(), o.deploymentId(), progress.getCommandId());
            }
        });
    }

    /** The agent holds the command for the customer's approval: no deadline runs, the operation shows why. */
    private Runnable hold(Sql sql, String environmentId, String agentId, CommandProgress progress) {
        String reason = StepReports.cut(progress.getAwaitingApproval(), FieldLimits.AWAITING_APPROVAL_CHARS);
        Optional<Operation> op = operationOf(sql, environmentId, agentId, progress.getCommandId())
                .filter(Operation::active);
        boolean wasHeld = op.isPresent() && commands.held(sql, op.get().id()).isPresent();
        boolean first = op.isPresent() && commands.hold(sql, environmentId, agentId, progress.getCommandId(), reason,
                clock.instant()) && !wasHeld;
        return () -> {
            if (first) {
                LOG.info("command {} held by agent {} of environment {} for the customer's approval: {}",
                        progress.getCommandId(), agentId, environmentId, FreeText.forLog(reason));
            }
        };
    }

    /** Applies a result in {@code sql}'s transaction; what to log and count once it committed. */
    private Runnable applyResult(Sql sql, String environmentId, String agentId, CommandResult result) {
        Instant now = clock.instant();
        boolean succeeded = result.getOutcome() == Outcome.OUTCOME_SUCCEEDED;
        Optional<Finished> finished = finishedBy(sql, environmentId, agentId, result, succeeded, now);
        return () -> finished.ifPresentOrElse(f -> logFinished(f, result, succeeded),
                () -> LOG.info("result for command {} from agent {} of environment {} ignored: unknown, already "
                        + "answered, or the agent is no longer the environment's", FreeText.forLog(result.getCommandId()),
                        agentId, environmentId));
    }

    private Optional<Finished> finishedBy(Sql sql, String environmentId, String agentId, CommandResult result,
                                          boolean succeeded, Instant now) {
        Optional<Operation> op = operationOf(sql, environmentId, agentId, result.getCommandId())
                .filter(Operation::active);
        if (op.isEmpty()) {
            // Any answer to a withdrawn command tells that the agent no longer holds it.
            if (commands.withdrawn(sql, environmentId, result.getCommandId())) {
                LOG.info("command {} withdrawn from agent {} of environment {}: {}",
                        FreeText.forLog(result.getCommandId()), agentId, environmentId,
                        FreeText.forLog(result.getFailureReason()));
            }
            return Optional.empty();
        }
        // the command as queued: what a successful apply must have applied
        Command command = commands.find(sql, result.getCommandId()).orElseThrow();
        Optional<String> mismatch = succeeded && op.get().type() != Operation.Type.DELETE && result.hasApplied()
                ? AppliedClaims.resultProblem(command, result.getApplied()) : Optional.empty();
        // A result that does not answer its command is stored as nothing but the hub's own reason.
        byte[] stored = mismatch.isPresent() ? null : result.toByteArray();
        if (!commands.answer(sql, environmentId, agentId, result.getCommandId(), stored, now)) {
            return Optional.empty();
        }
        if (mismatch.isPresent()) {
            refuse(sql, op.get(), mismatch.get(), now);
        } else {
            finish(sql, op.get(), command, result, succeeded, now);
        }
        return Optional.of(new Finished(op.get(), mismatch));
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
        OperationLifecycle.Ending ending = OperationLifecycle.refused(op, mismatch);
        if (operations.finish(sql, op.id(), op.status(), ending, op.steps(), now)) { // steps as last reported
            deployments.finishOperation(sql, op.deploymentId(), op.id(), ending, null, null, null, now);
        }
    }

    private void finish(Sql sql, Operation op, Command command, CommandResult result, boolean succeeded, Instant now) {
        OperationLifecycle.Ending ending = succeeded ? OperationLifecycle.succeeded(op)
                : OperationLifecycle.failed(op, result.getFailureReason(), result.getFailedStep());
        if (!operations.finish(sql, op.id(), op.status(), ending, StepReports.of(result.getStepsList()), now)) {
            return;
        }
        if (!ending.applied()) {
            deployments.finishOperation(sql, op.deploymentId(), op.id(), ending, null, null, null, now);
            return;
        }
        // What the command applies, as the hub renders it: a result's applied was checked to match it,
        // and one without applied is taken to have applied what it was sent.
        String contentHash = AppliedClaims.expectedHash(command);
        Deployment deployment = deployments.find(sql, op.deploymentId()).orElseThrow(); // the operation's release
        long revision = revisions.record(sql, deployment.id(), deployment.tenantId(), op.id(), deployment.releaseId(),
                deployment.parameters(), deployment.plan(), contentHash, config.getDeploymentRevisionsKept(), now);
        deployments.finishOperation(sql, op.deploymentId(), op.id(), ending, command.getGeneration(), contentHash,
                revision, now);
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
}
