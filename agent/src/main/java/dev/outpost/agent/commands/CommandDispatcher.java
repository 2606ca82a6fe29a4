package dev.outpost.agent.commands;

import dev.outpost.agent.controls.ApprovalInbox;
import dev.outpost.agent.controls.PauseSwitch;
import dev.outpost.agent.deploy.DeploymentExecutor;
import dev.outpost.agent.ledger.CommandLedger;
import dev.outpost.protocol.v1.AgentMessage;
import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.CommandProgress;
import dev.outpost.protocol.v1.CommandResult;
import dev.outpost.protocol.v1.Outcome;
import dev.outpost.protocol.v1.Step;
import dev.outpost.protocol.v1.Withdraw;
import dev.outpost.protocol.text.FreeText;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
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
    /** Commands the customer's approval mode holds, by id, in the order they came; empty when it is off. */
    private final Map<String, Command> held = new LinkedHashMap<>();
    private final Optional<ApprovalHolds> approvals;
    private volatile boolean stopping;
    private volatile Consumer<Outcome> onFinished = outcome -> { };

    /**
     * {@code ledger} records each command run and its outcome, for the customer; while {@code pause}
     * is on, commands are refused with the customer's reason.
     */
    public CommandDispatcher(DeploymentExecutor executor, FinishedCommands finished, CommandLedger ledger,
            PauseSwitch pause, HubOutlet outlet, int maxParallel, int maxQueued) {
        this(executor, finished, ledger, pause, Optional.empty(), outlet, maxParallel, maxQueued);
    }

    /**
     * As above; with {@code approvals}, every command is held until the customer approves it (then it
     * runs) or rejects it (then it fails with their reason), looked for at every poll of {@code approvals}.
     */
    public CommandDispatcher(DeploymentExecutor executor, FinishedCommands finished, CommandLedger ledger,
            PauseSwitch pause, Optional<ApprovalHolds> approvals, HubOutlet outlet, int maxParallel, int maxQueued) {
        this.approvals = approvals;
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
        approvals.ifPresent(a -> a.start(this::checkHeld));
    }

    /**
     * Takes a command from the hub. Returns false when too many commands are waiting: the caller
     * should drop the stream, and the hub re-sends what is unanswered once the agent reconnects.
     */
    public boolean accept(Command command) {
        String id = command.getCommandId();
        CommandResult done;
        boolean hold = false;
        synchronized (this) {
            // Checked under the lock: a finishing command is recorded before it leaves pending.
            done = finished.get(id).orElse(null);
            if (done == null) {
                if (stopping || pending.contains(id)) {
                    LOG.debug("Command {} is already queued or running, or the agent is stopping", id);
                    return true;
                }
                if (held.containsKey(id)) {
                    hold = false; // re-sent (e.g. after a reconnect): the hub is told again that it waits
                } else if (pending.size() + held.size() >= maxQueued) {
                    LOG.warn("{} commands waiting; refusing command {} (deployment {})", pending.size() + held.size(),
                            id, command.getDeploymentId());
                    return false;
                } else if (approvals.isPresent()) {
                    held.put(id, command);
                    hold = true;
                } else {
                    enqueueLocked(command);
                    return true;
                }
            }
        }
        if (done == null) {
            if (hold) {
                hold(command);
            } else {
                approvals.orElseThrow().remind(command);
            }
            return true;
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

    /** Records the hold (ledger, the customer's inbox) and tells the hub; a hold that cannot be recorded fails the command. */
    private void hold(Command command) {
        try {
            // Nothing is held that the customer's ledger does not show.
            ledger.held(command);
            approvals.orElseThrow().held(command);
        } catch (UncheckedIOException | IllegalArgumentException e) {
            synchronized (this) {
                held.remove(command.getCommandId());
            }
            LOG.error("Command {} (deployment {}) not held for approval: {}", command.getCommandId(),
                    command.getDeploymentId(), e.getMessage());
            finish(command, CommandResult.newBuilder().setOutcome(Outcome.OUTCOME_FAILED)
                    .setFailureReason("not carried out: the agent cannot hold it for the customer's approval ("
                            + e.getMessage() + ")").build());
            return;
        }
        LOG.info("Command {} ({} deployment {} generation {}) held for the customer's approval", command.getCommandId(),
                command.getActionCase(), command.getDeploymentId(), command.getGeneration());
    }

    /** Runs held commands the customer approved, fails those they rejected; reminds the hub of the rest when due. */
    private void checkHeld(boolean remind) {
        List<Command> waiting;
        synchronized (this) {
            waiting = List.copyOf(held.values());
        }
        ApprovalHolds holds = approvals.orElseThrow();
        for (Command command : waiting) {
            Optional<ApprovalInbox.Decision> decision = holds.decision(command);
            if (decision.isEmpty()) {
                if (remind) {
                    holds.remind(command);
                }
                continue;
            }
            synchronized (this) {
                if (held.remove(command.getCommandId()) == null) {
                    continue; // withdrawn meanwhile
                }
            }
            decided(command, decision.get());
        }
    }

    private void decided(Command command, ApprovalInbox.Decision decision) {
        String id = command.getCommandId();
        ApprovalHolds holds = approvals.orElseThrow();
        if (!decision.approved()) {
            LOG.warn("Command {} (deployment {}) rejected by the customer: {}", id, command.getDeploymentId(),
                    FreeText.forLog(decision.reason()));
            finish(command, CommandResult.newBuilder().setOutcome(Outcome.OUTCOME_FAILED)
                    .setFailureReason("rejected by the customer on " + decision.at() + ": " + decision.reason()).build());
            holds.forget(id);
            return;
        }
        try {
            ledger.approved(command, "approved by the customer on " + decision.at());
        } catch (UncheckedIOException e) {
            LOG.error("Command {} (deployment {}) not carried out: {}", id, command.getDeploymentId(), e.getMessage());
            finish(command, CommandResult.newBuilder().setOutcome(Outcome.OUTCOME_FAILED)
                    .setFailureReason("not carried out: the agent cannot write its command ledger ("
                            + e.getCause().getMessage() + ")").build());
            holds.forget(id);
            return;
        }
        LOG.info("Command {} (deployment {}) approved by the customer on {}", id, command.getDeploymentId(), decision.at());
        // Tells the hub the hold is over (its deadline runs from now) even when no progress follows soon.
        send(progress(id, List.of()));
        synchronized (this) {
            if (stopping) {
                return; // the decision stays in the inbox: sent again after the restart, the command runs at once
            }
            enqueueLocked(command);
        }
        holds.forget(id);
    }

    /**
     * The hub withdraws a command the vendor cancelled: a held one is dropped and answered as failed,
     * one already queued or running goes on (its result follows), a finished one is answered with its
     * result, and an unknown one with "nothing carried out". Any answer acknowledges the withdrawal.
     */
    public void withdraw(Withdraw withdraw) {
        String id = withdraw.getCommandId();
        Command dropped;
        CommandResult done;
        synchronized (this) {
            dropped = held.remove(id);
            done = finished.get(id).orElse(null);
            if (dropped == null && done == null && pending.contains(id)) {
                LOG.info("Command {} withdrawn by the hub after the customer approved it; it goes on", id);
                return;
            }
        }
        String reason = "withdrawn by the hub before the customer decided: " + FreeText.forLog(withdraw.getReason());
        approvals.ifPresent(a -> a.forget(id));
        if (dropped != null) {
            LOG.info("Command {} (deployment {}) {}", id, dropped.getDeploymentId(), reason);
            finish(dropped, CommandResult.newBuilder().setOutcome(Outcome.OUTCOME_FAILED).setFailureReason(reason).build());
        } else if (done != null) {
            send(AgentMessage.newBuilder().setResult(done).build());
        } else {
            send(AgentMessage.newBuilder().setResult(CommandResult.newBuilder().setCommandId(id)
                    .setOutcome(Outcome.OUTCOME_FAILED).setFailureReason(reason + " (this agent does not hold it; "
                            + "nothing of it was carried out)")).build());
        }
    }

    /** Called with the outcome of each command that finished (not with re-sent results); must return quickly. */
    public void setOnFinished(Consumer<Outcome> onFinished) {
        this.onFinished = onFinished;
    }

    /** Ids of commands queued or running now. */
    public synchronized Set<String> pending() {
        return Set.copyOf(pending);
    }

    /** Ids of commands held for the customer's approval now. */
    public synchronized Set<String> held() {
        return Set.copyOf(held.keySet());
    }

    /** Lets running commands finish for up to {@code grace}, then interrupts them (they are re-sent later). */
    public void close(Duration grace) {
        stopping = true;
        approvals.ifPresent(ApprovalHolds::close);
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
