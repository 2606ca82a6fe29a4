package dev.outpost.hub.gateway;

import dev.outpost.hub.agents.ActiveAgent;
import dev.outpost.hub.agents.AgentPresence;
import dev.outpost.hub.deployments.CommandOutbox;
import dev.outpost.hub.deployments.CommandStore;
import dev.outpost.hub.deployments.packaged.RevisionGate;
import dev.outpost.hub.drift.DriftReportRules;
import dev.outpost.hub.drift.DriftReports;
import dev.outpost.hub.limits.TokenBucket;
import dev.outpost.protocol.AgentMessageRules;
import dev.outpost.protocol.GrpcLimits;
import dev.outpost.protocol.ProtocolRevision;
import dev.outpost.protocol.text.FreeText;
import dev.outpost.protocol.v1.AgentCondition;
import dev.outpost.protocol.v1.AgentMessage;
import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.CommandResult;
import dev.outpost.protocol.v1.HubMessage;
import dev.outpost.protocol.v1.Welcome;
import dev.outpost.protocol.v1.Withdraw;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent's control stream on this replica: handles what the agent sends and pushes the
 * environment's unanswered commands, each at most once per stream (a new stream sends them all
 * again: that is the at-least-once redelivery after a reconnect).
 *
 * <p>Nothing the agent sends is trusted: a message that breaks a field rule closes the stream with
 * INVALID_ARGUMENT naming the field, more messages than the stream's token bucket allows close it
 * with RESOURCE_EXHAUSTED, and no message writes last-seen by itself (the replica's batch in
 * {@link ControlSessions#flushLastSeen} does, however often the agent sends).
 */
final class ControlSession implements StreamObserver<AgentMessage> {
    /** Most commands in flight per stream; more wait in the outbox until the agent answers some. */
    static final int MAX_UNANSWERED = 64;
    private static final Logger LOG = LoggerFactory.getLogger(ControlSession.class);

    private final ActiveAgent agent;
    private final ServerCallStreamObserver<HubMessage> out;
    private final ControlSessions sessions;
    private final AgentPresence presence;
    private final CommandOutbox outbox;
    private final DriftReports drift;
    private final Executor executor;
    private final Clock clock;
    private final Duration heartbeatInterval;
    private final TokenBucket messages;
    /** Its place among the handshakes in progress, handed back at Welcome; null without admission control. */
    private final HandshakeAdmission.Permit handshake;

    private final Object writeLock = new Object();
    /** Commands written to this stream; the (serial) push loop drops those no longer unanswered. */
    private final Set<String> sentHere = Collections.synchronizedSet(new HashSet<>());
    /** Held commands withdrawn on this stream and not yet answered. */
    private final Set<String> withdrawnHere = Collections.synchronizedSet(new HashSet<>());
    /**
     * Whether pushes ask the outbox for withdrawals: until one push has sent all there were at the
     * stream's start, and again from the agent's first report of a held command. A stream of an agent
     * that holds nothing costs no such query per push.
     */
    private volatile boolean withdrawalsChecked;
    private volatile boolean agentHolds;
    private final AtomicBoolean pushRunning = new AtomicBoolean();
    private final AtomicBoolean pushAgain = new AtomicBoolean();
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile boolean helloSeen;
    private volatile boolean welcomed;
    private boolean outClosed;
    private volatile Instant lastHeard;
    private AgentCondition lastConditionWritten;
    /** Progress reports dropped over the rate limit since the last message that was taken. */
    private int progressDroppedInARow;
    /** The revision negotiated in Welcome: a plan never goes to a stream below ProtocolRevision.PLANS. */
    private volatile int revision = ProtocolRevision.CURRENT;

    ControlSession(ActiveAgent agent, ServerCallStreamObserver<HubMessage> out, ControlSessions sessions,
            AgentPresence presence, CommandOutbox outbox, DriftReports drift, Executor executor, Clock clock,
            Duration heartbeatInterval) {
        this.agent = agent;
        this.drift = drift;
        this.out = out;
        this.sessions = sessions;
        this.presence = presence;
        this.outbox = outbox;
        this.executor = executor;
        this.clock = clock;
        this.heartbeatInterval = heartbeatInterval;
        this.handshake = HandshakeAdmission.current();
        this.messages = new TokenBucket(clock, GrpcLimits.STREAM_MESSAGE_BURST, GrpcLimits.STREAM_MESSAGES_PER_SECOND);
        this.lastHeard = clock.instant();
        out.setOnReadyHandler(this::requestPush);
        out.setOnCancelHandler(() -> end("cancelled by the agent"));
    }

    ActiveAgent agent() {
        return agent;
    }

    Instant lastHeard() {
        return lastHeard;
    }

    /** Whether Welcome went out: only then is the agent online through this stream. */
    boolean welcomed() {
        return welcomed;
    }

    boolean isEnded() {
        return ended.get();
    }

    @Override
    public void onNext(AgentMessage message) {
        if (ended.get()) {
            return;
        }
        lastHeard = clock.instant();
        try {
            if (!welcomed) {
                if (!message.hasHello()) {
                    close(Status.FAILED_PRECONDITION.withDescription("the first message on a stream must be Hello"));
                    return;
                }
                helloSeen = true;
                welcome(message);
                return;
            }
            if (!messages.tryTake() && !answersCommandSentHere(message)) {
                // An honest agent applying a large release reports many steps quickly: progress over the
                // rate is dropped (the next report and the result carry every step again), until the
                // agent sends nothing but dropped progress for a whole burst's worth more.
                if (message.hasProgress() && ++progressDroppedInARow <= GrpcLimits.STREAM_MESSAGE_BURST) {
                    return;
                }
                LOG.warn("Closing stream of {}: more than {} messages in a burst or {} per second", describe(),
                        GrpcLimits.STREAM_MESSAGE_BURST, GrpcLimits.STREAM_MESSAGES_PER_SECOND);
                close(Status.RESOURCE_EXHAUSTED.withDescription("more than " + GrpcLimits.STREAM_MESSAGE_BURST
                        + " messages in a burst or " + GrpcLimits.STREAM_MESSAGES_PER_SECOND
                        + " per second on this stream; reconnect and send less often"));
                return;
            }
            progressDroppedInARow = 0;
            Optional<String> problem = switch (message.getBodyCase()) {
                case PROGRESS -> AgentMessageRules.commandIdProblem("progress.command_id",
                        message.getProgress().getCommandId());
                case RESULT -> AgentMessageRules.commandIdProblem("result.command_id", message.getResult().getCommandId());
                case DRIFT -> DriftReportRules.problem(message.getDrift());
                default -> Optional.empty();
            };
            if (problem.isPresent()) {
                refuseMessage(problem.get());
                return;
            }
            AgentCondition condition = message.hasHeartbeat() && message.getHeartbeat().hasCondition()
                    ? message.getHeartbeat().getCondition() : null;
            Optional<String> badCondition = condition == null ? Optional.empty()
                    : AgentMessageRules.conditionProblem("heartbeat.condition", condition);
            if (badCondition.isPresent()) {
                refuseMessage(badCondition.get());
                return;
            }
            if (!recordCondition(condition)) {
                refuse("revoked while connected");
                return;
            }
            switch (message.getBodyCase()) {
                case PROGRESS -> {
                    if (!message.getProgress().getAwaitingApproval().isEmpty()) {
                        agentHolds = true;
                    }
                    outbox.progressSoon(agent.environmentId(), agent.agentId(), message.getProgress(),
                            error -> closeUnlessRecorded(error, message));
                }
                case RESULT -> {
                    // sentHere keeps the id: a push that read the unanswered list before this result must
                    // not send the command again; the next push's retainAll drops it.
                    CommandResult result = message.getResult();
                    outbox.resultSoon(agent.environmentId(), agent.agentId(), result, error -> {
                        if (closeUnlessRecorded(error, message)) {
                            LOG.debug("Command {} of {} answered: {}", result.getCommandId(), describe(),
                                    result.getOutcome());
                            requestPush(); // the command's slot is free: the next queued one may go out
                        }
                    });
                }
                case DRIFT -> drift.report(agent.environmentId(), agent.agentId(), message.getDrift());
                case HELLO -> LOG.warn("Ignored a second Hello from {}", describe());
                default -> {
                    // Heartbeat (recorded above) or a message type from a newer revision: nothing more to do.
                }
            }
        } catch (RuntimeException e) {
            LOG.error("Cannot handle a {} message from {}", message.getBodyCase(), describe(), e);
            close(Status.UNAVAILABLE.withDescription("hub cannot record this message now; reconnect"));
        }
    }

    /**
     * True if a report was recorded; else closes the stream, so that the agent reports again on its
     * next one (the command counts as sent, and is sent again).
     */
    private boolean closeUnlessRecorded(RuntimeException error, AgentMessage message) {
        if (error == null) {
            return true;
        }
        LOG.error("Cannot record a {} message from {}", message.getBodyCase(), describe(), error);
        close(Status.UNAVAILABLE.withDescription("hub cannot record this message now; reconnect"));
        return false;
    }

    /**
     * Writes a reported condition that differs from the one last written (agents repeat theirs on every
     * heartbeat); false when the write found the agent revoked. Last-seen is not written here: the
     * batch in {@link ControlSessions#flushLastSeen} does it from {@link #lastHeard()}.
     */
    private boolean recordCondition(AgentCondition condition) {
        if (condition == null || condition.equals(lastConditionWritten)) {
            return true;
        }
        lastConditionWritten = condition;
        return presence.heartbeat(agent.agentId(), sessions.replicaId(), condition);
    }

    /**
     * A result for a command this stream delivered is always taken, even over the rate: there are at
     * most {@link #MAX_UNANSWERED} of them, and dropping one would leave its operation waiting.
     */
    private boolean answersCommandSentHere(AgentMessage message) {
        return message.hasResult() && sentHere.contains(message.getResult().getCommandId());
    }

    /** Closes the stream for a message that can never be accepted as sent. */
    private void refuseMessage(String problem) {
        LOG.warn("Closing stream of {}: refused a message: {}", describe(), FreeText.forLog(problem));
        close(Status.INVALID_ARGUMENT.withDescription(problem));
    }

    @Override
    public void onError(Throwable error) {
        end("stream failed: " + Status.fromThrowable(error).getCode());
    }

    @Override
    public void onCompleted() {
        synchronized (writeLock) {
            if (!outClosed) {
                outClosed = true;
                out.onCompleted();
            }
        }
        end("closed by the agent");
    }

    /** Schedules a push of unanswered commands; pushes never overlap and never run on the caller's thread. */
    void requestPush() {
        if (!welcomed || ended.get()) {
            return;
        }
        pushAgain.set(true);
        if (pushRunning.compareAndSet(false, true)) {
            executor.execute(this::pushLoop);
        }
    }

    /** Closes the stream unless Hello arrived: a client must not hold a call without saying who it is. */
    void closeUnlessHelloWithin(Duration timeout) {
        if (!helloSeen && !ended.get()) {
            LOG.warn("No Hello from {} within {}s; closing its stream", describe(), timeout.toSeconds());
            close(Status.DEADLINE_EXCEEDED.withDescription("no Hello within " + timeout.toSeconds() + "s"));
        }
    }

    /** Closes the stream because the agent is no longer admitted (revoked, or superseded by a re-enrolment). */
    void refuse(String why) {
        LOG.warn("Closing stream of {}: {} ({})", describe(), ClientCertificateInterceptor.NOT_ADMITTED, why);
        close(Status.PERMISSION_DENIED.withDescription(ClientCertificateInterceptor.NOT_ADMITTED));
    }

    /** Closes the stream with this status (e.g. replaced, revoked, silent). */
    void close(Status status) {
        synchronized (writeLock) {
            if (!outClosed) {
                outClosed = true;
                out.onError(status.asRuntimeException());
            }
        }
        end(status.getCode() + " " + status.getDescription());
    }

    private void welcome(AgentMessage message) {
        Optional<String> problem = AgentMessageRules.helloProblem(message.getHello());
        if (problem.isPresent()) {
            refuseMessage("hello." + problem.get());
            return;
        }
        sessions.register(this);
        // Revoked between the certificate check and Hello (e.g. a re-enrolment): nothing was recorded.
        boolean admitted = presence.connected(agent.agentId(), sessions.replicaId(), message.getHello());
        releaseHandshake();
        if (!admitted) {
            refuse("revoked before Hello");
            return;
        }
        revision = ProtocolRevision.negotiate(message.getHello().getProtocolRevision());
        send(HubMessage.newBuilder().setWelcome(Welcome.newBuilder()
                .setAgentId(agent.agentId())
                .setProtocolRevision(revision)
                .setHeartbeatIntervalSeconds((int) Math.max(1, heartbeatInterval.toSeconds()))
                .setHubVersion(HubVersion.current())).build());
        send(sessions.trustBundle());
        lastConditionWritten = message.getHello().hasCondition() ? message.getHello().getCondition() : null;
        welcomed = true;
        LOG.info("Agent connected: {} version={} revision={} applied={}", describe(),
                FreeText.forLog(message.getHello().getAgentVersion()), revision, message.getHello().getAppliedCount());
        requestPush();
    }

    private void pushLoop() {
        do {
            pushAgain.set(false);
            try {
                pushOnce();
            } catch (RuntimeException e) {
                LOG.warn("Cannot push commands to {}; will retry at the next poll", describe(), e);
            }
            pushRunning.set(false);
        } while (pushAgain.get() && pushRunning.compareAndSet(false, true));
    }

    /**
     * Takes this session's turn to push for a read done for many streams at once (a fan-out): true if
     * it got it, and {@link #pushClaimed} must follow; false if a push of its own runs now, which is
     * then asked to run once more.
     */
    boolean claimPush() {
        if (!welcomed || ended.get()) {
            return false;
        }
        if (!pushRunning.compareAndSet(false, true)) {
            requestPush();
            return false;
        }
        pushAgain.set(false);
        return true;
    }

    /**
     * Pushes {@code unanswered}, read for this agent after {@link #claimPush}, then gives the turn
     * back; a push asked for meanwhile (e.g. after a result) runs next, with a read of its own.
     */
    void pushClaimed(List<Command> unanswered) {
        try {
            pushOnce(unanswered);
        } catch (RuntimeException e) {
            LOG.warn("Cannot push commands to {}; will retry at the next poll", describe(), e);
        }
        pushRunning.set(false);
        if (pushAgain.get()) {
            requestPush();
        }
    }

    /** Gives back a turn taken by {@link #claimPush} without pushing: the session reads for itself. */
    void releaseClaim() {
        pushRunning.set(false);
        requestPush();
    }

    private void pushOnce() {
        if (ended.get()) {
            return;
        }
        pushOnce(outbox.unanswered(agent.environmentId(), agent.agentId(), MAX_UNANSWERED));
    }

    private void pushOnce(List<Command> unanswered) {
        if (ended.get()) {
            return;
        }
        Set<String> ids = new HashSet<>();
        unanswered.forEach(c -> ids.add(c.getCommandId()));
        sentHere.retainAll(ids);
        for (Command command : unanswered) {
            if (sentHere.contains(command.getCommandId())) {
                continue;
            }
            Optional<CommandResult> refused = RevisionGate.refusal(command, revision);
            if (refused.isPresent()) {
                LOG.warn("Command {} (deployment {}) not sent to {}: {}", command.getCommandId(),
                        command.getDeploymentId(), describe(), refused.get().getFailureReason());
                outbox.result(agent.environmentId(), agent.agentId(), refused.get());
                continue;
            }
            synchronized (writeLock) {
                // Not ready: grpc calls the on-ready handler when the agent reads again, which pushes again.
                if (outClosed || !out.isReady()) {
                    return;
                }
                out.onNext(HubMessage.newBuilder().setCommand(command).build());
            }
            sentHere.add(command.getCommandId());
            outbox.markSent(command.getCommandId(), agent.agentId());
            LOG.info("Sent command {} (deployment {} generation {}) to {}", command.getCommandId(),
                    command.getDeploymentId(), command.getGeneration(), describe());
        }
        pushWithdrawals();
    }

    /** Withdraws cancelled commands the agent holds for approval: once per stream, until the agent answers. */
    private void pushWithdrawals() {
        if (withdrawalsChecked && !agentHolds) {
            return;
        }
        List<CommandStore.Withdrawal> withdrawals = outbox.withdrawals(agent.environmentId(), agent.agentId(),
                MAX_UNANSWERED);
        Set<String> ids = new HashSet<>();
        withdrawals.forEach(w -> ids.add(w.commandId()));
        withdrawnHere.retainAll(ids);
        for (CommandStore.Withdrawal withdrawal : withdrawals) {
            if (withdrawnHere.contains(withdrawal.commandId())) {
                continue;
            }
            synchronized (writeLock) {
                if (outClosed || !out.isReady()) {
                    return;
                }
                out.onNext(HubMessage.newBuilder().setWithdraw(Withdraw.newBuilder()
                        .setCommandId(withdrawal.commandId())
                        .setReason("operation " + withdrawal.operationId() + " was cancelled at the hub")).build());
            }
            withdrawnHere.add(withdrawal.commandId());
            LOG.info("Withdrew held command {} (operation {}) from {}", withdrawal.commandId(),
                    withdrawal.operationId(), describe());
        }
        withdrawalsChecked = true;
    }

    /** Tells the agent the CAs it must trust for the hub from now on. */
    void sendTrust(HubMessage trust) {
        send(trust);
    }

    private void send(HubMessage message) {
        synchronized (writeLock) {
            if (!outClosed) {
                out.onNext(message);
            }
        }
    }

    private void end(String why) {
        if (ended.compareAndSet(false, true)) {
            releaseHandshake();
            sessions.ended(this, why);
        }
    }

    private void releaseHandshake() {
        if (handshake != null) {
            handshake.release();
        }
    }

    String describe() {
        return "agent=" + agent.agentId() + " tenant=" + agent.tenantId() + " environment=" + agent.environmentId();
    }
}
