package dev.outpost.hub.deployments.lifecycle;

import dev.outpost.hub.config.HubConfig;
import dev.outpost.hub.deployments.CommandStore;
import dev.outpost.hub.deployments.DeploymentStore;
import dev.outpost.hub.deployments.Operation;
import dev.outpost.hub.deployments.OperationStore;
import dev.outpost.hub.ops.HubMetrics;
import dev.outpost.hub.store.Database;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Never stuck: an operation whose agent was given the command but sent no result by its
 * {@link ResultDeadline} fails with the reason, its command is answered (never sent again, a late
 * result ignored) and the deployment is unlocked. Every replica sweeps; the conditional updates let
 * only one of them end a given operation.
 */
@Singleton
public class OverdueResults {
    private static final Logger LOG = LoggerFactory.getLogger(OverdueResults.class);
    /** Most commands looked at per sweep, so one sweep stays short whatever the backlog. */
    static final int MAX_PER_SWEEP = 200;

    private final Database db;
    private final CommandStore commands;
    private final OperationStore operations;
    private final DeploymentStore deployments;
    private final HubConfig config;
    private final HubMetrics metrics;
    private final Clock clock;

    public OverdueResults(Database db, CommandStore commands, OperationStore operations, DeploymentStore deployments,
                          HubConfig config, HubMetrics metrics, Clock clock) {
        this.db = db;
        this.commands = commands;
        this.operations = operations;
        this.deployments = deployments;
        this.config = config;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Scheduled(fixedDelay = "${outpost.operation-sweep-interval:10s}",
            initialDelay = "${outpost.operation-sweep-interval:10s}")
    void sweep() {
        try {
            failOverdue();
        } catch (RuntimeException e) {
            // The next sweep tries again (e.g. the database was briefly unreachable).
            LOG.warn("sweep for overdue operation results failed: {}", e.toString());
        }
    }

    /** Fails every operation whose result is overdue now; answers how many it failed. */
    public int failOverdue() {
        Instant now = clock.instant();
        List<CommandStore.Delivered> sent = db.read(sql -> commands.delivered(sql, MAX_PER_SWEEP));
        int failed = 0;
        for (CommandStore.Delivered delivered : sent) {
            Instant deadline = ResultDeadline.of(delivered.command(), delivered.sentAt(),
                    config.getDeploymentReadyTimeout(), config.getOperationResultMargin());
            if (!now.isBefore(deadline) && timeOut(delivered, Duration.between(delivered.sentAt(), deadline), now)) {
                failed++;
            }
        }
        return failed;
    }

    private boolean timeOut(CommandStore.Delivered delivered, Duration waited, Instant now) {
        String commandId = delivered.command().getCommandId();
        String reason = "timed out: agent " + delivered.agentId() + " was sent command " + commandId + " at "
                + delivered.sentAt() + " and sent no result within " + waited.toSeconds() + "s";
        Optional<Operation> ended = db.inTransaction(sql -> {
            Optional<Operation> op = operations.find(sql, delivered.operationId()).filter(Operation::active);
            if (op.isEmpty() || !commands.expire(sql, commandId, delivered.sentAt(), now)) {
                return Optional.<Operation>empty();
            }
            OperationLifecycle.Ending ending = OperationLifecycle.timedOut(op.get(), reason);
            if (!operations.finish(sql, op.get().id(), op.get().status(), ending, op.get().steps(), now)) {
                throw new IllegalStateException("operation " + op.get().id() + " moved while it timed out");
            }
            deployments.finishOperation(sql, op.get().deploymentId(), op.get().id(), ending, null, null, null, now);
            return op;
        });
        ended.ifPresent(op -> {
            metrics.operationFinished(op.type().json(), "failed");
            LOG.warn("operation {} ({}) failed: tenant {} deployment {} generation {}: {}", op.id(), op.type().json(),
                    op.tenantId(), op.deploymentId(), op.generation(), reason);
        });
        return ended.isPresent();
    }
}
