package dev.outpost.agent.commands;

import dev.outpost.agent.controls.PauseSwitch;
import dev.outpost.agent.deploy.DeploymentExecutor;
import dev.outpost.agent.ledger.CommandLedger;
import dev.outpost.protocol.v1.AgentMessage;
import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.CommandProgress;
import dev.outpost.protocol.v1.CommandResult;
import dev.outpost.protocol.v1.Outcome;
import dev.outpost.protocol.v1.Step;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the hub's commands: in order per deployment, different deployments in parallel (bounded),
 * each command id once. A command that already finished is answered with its stored result; one
 * that is queued or running is ignored, since its result will follow.
 */
public final class CommandDispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CommandDispatcher.class);

    private final DeploymentExecutor executor;
    private final FinishedCommands finished;
    private final CommandLedger ledger;
    private final PauseSwitch pause;
    private final HubOutlet outlet;
    private final int maxQueued;
    private final ExecutorService workers;

    private final Set<String> pending = new HashSet<>();
    private final Map<String, Queue<Command>> queues = new HashMap<>();
    private volatile boolean stopping;
    private volatile Consumer<Outcome> onFinished = outcome -> { };

    /**
     * {@code ledger} records each command run and its outcome, for the customer; while {@code pause}
     * is on, commands are refused with the customer's reason.
     */
    public CommandDispatcher(DeploymentExecutor executor, FinishedCommands finished, CommandLedger ledger,
            PauseSwitch pause, HubOutlet outlet, int maxParallel, int maxQueued) {
        this.executor = executor;
        this.finished = finished;
        this.ledger = ledger;
        this.pause = pause;
        this.outlet = outlet;
        this.maxQueued = maxQueued;
        AtomicInteger count = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(maxParallel, r -> {
            Thread thread = new Thread(r, "outpost-command-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Takes a command from the hub. Returns false when too many commands are waiting: the caller
     * should drop the stream, and the hub re-sends what is unanswered once the agent reconnects.
     */
    public boolean accept(Command command) {
        String id = command.getCommandId();
        CommandResult done;
        synchronized (this) {
            // Checked under the lock: a finishing command is recorded before it leaves pending.
            done = finished.get(id).orElse(null);
            if (done == null) {
                if (stopping || pending.contains(id)) {
                    LOG.debug("Command {} is already queued or running, or the agent is stopping", id);
                    return true;
                }
                if (pending.size() >= maxQueued) {
                    LOG.warn("{} commands waiting; refusing command {} (deployment {})", pending.size(), id,
                            command.getDeploymentId());
                    return false;
                }
                enqueueLocked(command);
                return true;
            }
        }
        LOG.info("Command {} (deployment {}) already finished; re-sending its result", id, command.getDeploymentId());
        send(AgentMessage.newBuilder().setResult(done).build());
        return true;
    }

    private void enqueueLocked(Command command) {
        pending.add(command.getCommandId());
        Queue<Command> queue = queues.get(command.getDeploymentId());
        if (queue != null) {
            queue.add(command); // the deployment's worker picks it up after the current one
            return;
        }
        queue = new ArrayDeque<>();
        queue.add(command);
        queues.put(command.getDeploymentId(), queue);
        workers.execute(() -> drain(command.getDeploymentId()));
    }

    /** Called with the outcome of each command that finished (not with re-sent results); must return quickly. */
    public void setOnFinished(Consumer<Outcome> onFinished) {
        this.onFinished = onFinished;
    }

    /** Ids of commands queued or running now. */
    public synchronized Set<String> pending() {
        return Set.copyOf(pending);
    }

    /** Lets running commands finish for up to {@code grace}, then interrupts them (they are re-sent later). */
    public void close(Duration grace) {
        stopping = true;
        workers.shutdown();
        try {
            if (!workers.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(20));
    }

    /**
     * Runs the deployment's commands one after another until its queue is empty. Whatever a command
     * throws, it leaves the queue and {@code pending}: otherwise the deployment's later commands would
     * wait behind it, and re-sends of it would be ignored, until the agent restarts.
     */
    private void drain(String deploymentId) {
        while (true) {
            Command next;
            synchronized (this) {
                Queue<Command> queue = queues.get(deploymentId);
                next = queue.peek();
                if (next == null || stopping) {
                    queues.remove(deploymentId);
                    queue.forEach(c -> pending.remove(c.getCommandId()));
                    return;
                }
            }
            try {
                run(next);
            } catch (RuntimeException | Error e) {
                // Not the command's outcome (run reports those). Errors too: leaving this loop would wedge
                // the deployment. The hub sends an unanswered command again on the agent's next stream.
                LOG.error("Command {} (deployment {}) broke off without a result", next.getCommandId(), deploymentId, e);
            } finally {
                synchronized (this) {
                    queues.get(deploymentId).poll();
                    pending.remove(next.getCommandId());
                }
            }
        }
    }

    private void run(Command command) {
        String id = command.getCommandId();
        LOG.info("Running command {} ({} deployment {} generation {})", id, command.getActionCase(),
                command.getDeploymentId(), command.getGeneration());
        sendIfReady(progress(id, List.of()));
        CommandResult result;
        try {
            // Nothing is carried out that the customer's ledger does not show.
            ledger.received(command);
        } catch (UncheckedIOException e) {
            LOG.error("Command {} (deployment {}) not carried out: {}", id, command.getDeploymentId(), e.getMessage());
            result = CommandResult.newBuilder().setOutcome(Outcome.OUTCOME_FAILED)
                    .setFailureReason("not carried out: the agent cannot write its command ledger ("
                            + e.getCause().getMessage() + ")").build();
            finish(command, result);
            return;
        }
        Optional<PauseSwitch.Pause> paused = pause.current();
        if (paused.isPresent()) {
            LOG.warn("Command {} (deployment {}) refused: paused by the customer ({})", id, command.getDeploymentId(),
                    paused.get().reason());
            finish(command, CommandResult.newBuilder().setOutcome(Outcome.OUTCOME_FAILED)
                    .setFailureReason(paused.get().refusal()).build());
            return;
        }
        try {
            result = executor.execute(command, steps -> sendIfReady(progress(id, steps)));
        } catch (RuntimeException | Error e) {
            // Reported as a failure so the hub's operation ends and the deployment is not left locked.
            LOG.error("Command {} (deployment {}) failed unexpectedly", id, command.getDeploymentId(), e);
            result = CommandResult.newBuilder().setOutcome(Outcome.OUTCOME_FAILED)
                    .setFailureReason("agent error: " + e).build();
        }
        if (stopping && Thread.currentThread().isInterrupted()) {
            // Cut short by shutdown: not a real outcome. The hub re-sends it and the executor is idempotent.
            LOG.info("Command {} interrupted by shutdown; the hub will send it again", id);
            return;
        }
        finish(command, result);
    }

    /** Records the outcome (ledger, stored results), then reports it to the hub. */
    private void finish(Command command, CommandResult outcome) {
        String id = command.getCommandId();
        CommandResult result = outcome.toBuilder().setCommandId(id).build();
        onFinished.accept(result.getOutcome());
        try {
            ledger.finished(command, result);
        } catch (UncheckedIOException e) {
            LOG.error("Command {} (deployment {}): its outcome is missing from the command ledger: {}", id,
                    command.getDeploymentId(), e.getMessage());
        }
        try {
            finished.record(result);
        } catch (RuntimeException e) {
            // Still reported: the hub has its answer. Only a re-send would now run the command again (idempotent).
            LOG.error("Command {} (deployment {}): cannot store its result: {}", id, command.getDeploymentId(),
                    e.getMessage());
        }
        synchronized (this) {
            pending.remove(id);
        }
        boolean sent = send(AgentMessage.newBuilder().setResult(result).build());
        LOG.info("Command {} (deployment {}) {}{}{}", id, command.getDeploymentId(), result.getOutcome(),
                result.getFailureReason().isEmpty() ? "" : ": " + result.getFailureReason(),
                sent ? "" : " (not connected; reported when the hub re-sends it)");
    }

    /** Sends on the outlet; a failing stream counts as no stream, since the hub re-sends unanswered commands. */
    private boolean send(AgentMessage message) {
        try {
            return outlet.send(message);
        } catch (RuntimeException e) {
            LOG.warn("Cannot send to the hub: {}", e.toString());
            return false;
        }
    }

    private boolean sendIfReady(AgentMessage message) {
        try {
            return outlet.sendIfReady(message);
        } catch (RuntimeException e) {
            LOG.debug("Cannot send progress to the hub: {}", e.toString());
            return false;
        }
    }

    private static AgentMessage progress(String commandId, List<Step> steps) {
        return AgentMessage.newBuilder()
                .setProgress(CommandProgress.newBuilder().setCommandId(commandId).addAllSteps(steps))
                .build();
    }
}
