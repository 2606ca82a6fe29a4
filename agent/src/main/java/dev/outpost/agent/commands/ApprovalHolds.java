package dev.outpost.agent.commands;

import dev.outpost.agent.controls.ApprovalInbox;
import dev.outpost.agent.ledger.CommandLedger;
import dev.outpost.protocol.v1.AgentMessage;
import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.CommandProgress;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The customer's approval mode as the dispatcher uses it: held commands go to the customer's
 * {@link ApprovalInbox}, the hub is told that they wait (and reminded every {@link #REMIND_EVERY},
 * so a hub that restarted or a report dropped on the way does not leave it timing the command out),
 * and decisions are looked for every {@code poll}.
 */
public final class ApprovalHolds implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApprovalHolds.class);
    /** How often the hub is told again which commands wait. */
    static final Duration REMIND_EVERY = Duration.ofMinutes(1);

    private final ApprovalInbox inbox;
    private final HubOutlet outlet;
    private final Duration poll;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "outpost-approvals");
        thread.setDaemon(true);
        return thread;
    });

    public ApprovalHolds(ApprovalInbox inbox, HubOutlet outlet, Duration poll) {
        this.inbox = inbox;
        this.outlet = outlet;
        this.poll = poll;
    }

    /** Calls {@code check} every poll, with true when the hub is due a reminder. */
    void start(Consumer<Boolean> check) {
        long every = Math.max(1, poll.toMillis());
        long remindEvery = Math.max(1, REMIND_EVERY.toMillis() / every);
        long[] ticks = {0};
        timer.scheduleWithFixedDelay(() -> {
            try {
                check.accept(++ticks[0] % remindEvery == 0);
            } catch (RuntimeException e) {
                // A thrown exception would end the schedule and strand every held command.
                LOG.error("Cannot look for the customer's approvals", e);
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    /** Puts a held command in the customer's inbox and tells the hub it waits. */
    void held(Command command) {
        inbox.waiting(command.getCommandId(), "deployment " + command.getDeploymentId() + " generation "
                + command.getGeneration() + ": " + CommandLedger.asked(command));
        remind(command);
    }

    /** Tells the hub (again) that the command waits for the customer's approval. */
    void remind(Command command) {
        String id = command.getCommandId();
        try {
            outlet.send(AgentMessage.newBuilder().setProgress(CommandProgress.newBuilder().setCommandId(id)
                    .setAwaitingApproval("on the agent, the customer runs `outpost-agent approve " + id
                            + "` (or `outpost-agent reject " + id + " --reason TEXT`)")).build());
        } catch (RuntimeException e) {
            LOG.debug("Cannot tell the hub that command {} waits: {}", id, e.toString());
        }
    }

    /** The customer's decision on a held command, if there is one yet (a decision that cannot be read is none yet). */
    Optional<ApprovalInbox.Decision> decision(Command command) {
        try {
            return inbox.decision(command.getCommandId());
        } catch (UncheckedIOException e) {
            LOG.warn("Command {}: {}", command.getCommandId(), e.getMessage());
            return Optional.empty();
        }
    }

    /** The command is no longer held: its inbox files go (a failure leaves them, which the customer may remove). */
    void forget(String commandId) {
        try {
            inbox.forget(commandId);
        } catch (UncheckedIOException e) {
            LOG.warn("Command {}: {}", commandId, e.getMessage());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
