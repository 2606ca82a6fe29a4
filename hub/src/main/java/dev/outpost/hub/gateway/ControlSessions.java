package dev.outpost.hub.gateway;

import dev.outpost.hub.agents.ActiveAgent;
import dev.outpost.hub.agents.AgentPresence;
import dev.outpost.hub.agents.AgentRevoked;
import dev.outpost.hub.deployments.CommandOutbox;
import dev.outpost.hub.deployments.CommandQueued;
import dev.outpost.hub.enrollment.AgentEnrolled;
import dev.outpost.hub.pki.HubCertificateAuthority;
import dev.outpost.protocol.Pem;
import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.HubMessage;
import dev.outpost.protocol.v1.TrustBundle;
import io.grpc.Status;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control streams this hub replica holds, one per agent: a newer stream of the same agent
 * replaces the older. Wakes the right session when a command is queued, and runs the periodic
 * chores (poll for commands queued by other replicas, write last-seen, close silent or revoked
 * streams), each as a few statements for the whole replica, never one per agent.
 */
@Singleton
public class ControlSessions {
    static final String REPLACED = "replaced by a newer stream";
    /** The most environments one read for a fan-out covers. */
    static final int PUSH_BATCH = 500;
    /**
     * The most workers pushing woken environments at once, a batch each: a fan-out to thousands of
     * streams is bound by serialising and logging each command on the pushing thread, so one worker
     * left the other cores idle.
     */
    static final int PUSHERS = 4;
    private static final Logger LOG = LoggerFactory.getLogger(ControlSessions.class);

    private final AgentPresence presence;
    private final CommandOutbox outbox;
    private final HubCertificateAuthority ca;
    private final Clock clock;
    private final String replicaId;
    private final ConcurrentMap<String, ControlSession> byAgent = new ConcurrentHashMap<>();
    /** The same sessions by environment: a queued command wakes its environment's, not a scan of all. */
    private final ConcurrentMap<String, Set<ControlSession>> byEnvironment = new ConcurrentHashMap<>();
    /** When the last last-seen batch started: sessions heard since then are in the next one. */
    private volatile Instant lastSeenFlushed = Instant.EPOCH;
    /** Environments woken and not yet pushed; up to {@link #PUSHERS} workers take them in batches. */
    private final Set<String> woken = ConcurrentHashMap.newKeySet();
    private final AtomicInteger pushers = new AtomicInteger();
    private final int pushBatch;
    private final int maxPushers;
    private final Executor workers;

    @Inject
    public ControlSessions(AgentPresence presence, CommandOutbox outbox, HubCertificateAuthority ca, Clock clock,
                           GatewayThreads threads) {
        this(presence, outbox, ca, clock, threads, PUSH_BATCH, PUSHERS);
    }

    /** With another fan-out batch size and number of pushing workers: for tests of a fan-out over many batches. */
    ControlSessions(AgentPresence presence, CommandOutbox outbox, HubCertificateAuthority ca, Clock clock,
            GatewayThreads threads, int pushBatch, int maxPushers) {
        this.pushBatch = pushBatch;
        this.maxPushers = maxPushers;
        this.workers = threads.workers();
        this.ca = ca;
        this.presence = presence;
        this.outbox = outbox;
        this.clock = clock;
        byte[] random = new byte[6];
        new SecureRandom().nextBytes(random);
        this.replicaId = "hub-" + HexFormat.of().formatHex(random);
    }

    /** The CAs agents must trust for the hub now: sent after every Welcome and when a rollover step changes them. */
    HubMessage trustBundle() {
        return HubMessage.newBuilder().setTrust(TrustBundle.newBuilder().setCaBundlePem(Pem.certificates(ca.trustedCas())))
                .build();
    }

    /** Sends the CAs trusted now to every welcomed stream of this replica (a CA rollover step was taken in). */
    public void trustChanged() {
        HubMessage trust = trustBundle();
        int sent = 0;
        for (ControlSession session : List.copyOf(byAgent.values())) {
            if (session.welcomed()) {
                session.sendTrust(trust);
                sent++;
            }
        }
        LOG.info("Sent the hub's {} trusted CA(s) to {} connected agent(s)", ca.trustedCas().size(), sent);
    }

    /** Random id of this hub process, recorded with each agent it holds a stream of. */
    public String replicaId() {
        return replicaId;
    }

    /** Number of open, welcomed streams on this replica. */
    public int size() {
        return byAgent.size();
    }

    /** Wakes the sessions of the environments' agents so that newly queued commands go out at once. */
    @EventListener
    public void onCommandQueued(CommandQueued event) {
        wake(event.environmentIds());
    }

    /**
     * Asks the environment's sessions on this replica (usually one) to push what is unanswered. A
     * worker reads what to push for up to {@link #PUSH_BATCH} woken environments with one query, so
     * that a rollout to thousands of agents costs a few queries, not one per agent; one more worker
     * starts for every further batch waiting, up to {@link #PUSHERS}.
     */
    void wake(Collection<String> environmentIds) {
        boolean any = false;
        for (String environmentId : environmentIds) {
            if (byEnvironment.containsKey(environmentId)) {
                woken.add(environmentId);
                any = true;
            }
        }
        if (any) {
            startPushers();
        }
    }

    /** Starts a worker for each batch waiting beyond what the running ones will take, up to the most allowed. */
    private void startPushers() {
        while (true) {
            int running = pushers.get();
            if (running >= maxPushers || (running > 0 && woken.size() <= running * pushBatch)) {
                return;
            }
            if (!pushers.compareAndSet(running, running + 1)) {
                continue;
            }
            try {
                workers.execute(this::pushWoken);
            } catch (RejectedExecutionException e) { // shutting down: the streams are closing anyway
                pushers.decrementAndGet();
                return;
            }
        }
    }

    private void pushWoken() {
        try {
            for (List<String> batch = takeWoken(); !batch.isEmpty(); batch = takeWoken()) {
                pushBatch(batch);
            }
        } catch (RuntimeException e) {
            LOG.warn("Cannot push to the woken streams; the next poll wakes them again", e);
        } finally {
            pushers.decrementAndGet();
        }
        // Re-checked after this worker is counted out: an environment woken meanwhile is not left behind.
        if (!woken.isEmpty()) {
            startPushers();
        }
    }

    /** Up to a batch of woken environments, each taken by exactly one worker. */
    private List<String> takeWoken() {
        List<String> batch = new ArrayList<>();
        for (Iterator<String> it = woken.iterator(); it.hasNext() && batch.size() < pushBatch; ) {
            String environmentId = it.next();
            if (woken.remove(environmentId)) {
                batch.add(environmentId);
            }
        }
        return batch;
    }

    private void pushBatch(List<String> environmentIds) {
        // Each session's turn is taken before the read, as its own push would: a result that arrives
        // meanwhile asks for a fresh read after this push instead of racing it.
        Map<String, Set<String>> agents = new HashMap<>();
        List<ControlSession> claimed = new ArrayList<>();
        for (String environmentId : environmentIds) {
            for (ControlSession session : byEnvironment.getOrDefault(environmentId, Set.of())) {
                if (session.claimPush()) {
                    agents.computeIfAbsent(environmentId, e -> new HashSet<>()).add(session.agent().agentId());
                    claimed.add(session);
                }
            }
        }
        if (claimed.isEmpty()) {
            return;
        }
        Map<String, List<Command>> unanswered;
        try {
            unanswered = outbox.unansweredFor(agents, ControlSession.MAX_UNANSWERED);
        } catch (RuntimeException e) {
            LOG.warn("Cannot read the commands of {} woken stream(s) at once; each reads its own", claimed.size(), e);
            claimed.forEach(ControlSession::releaseClaim);
            return;
        }
        claimed.forEach(session -> session.pushClaimed(unanswered.getOrDefault(session.agent().agentId(), List.of())));
    }

    /**
     * Closes this replica's streams of the environment's previous agents at once: enrolment revoked
     * them. Other replicas close theirs at their next revalidation or the agent's next message.
     */
    @EventListener
    public void onAgentEnrolled(AgentEnrolled event) {
        // Only that environment's sessions: a scan of every stream per enrolment made an enrolment wave
        // quadratic in the fleet.
        for (ControlSession session : List.copyOf(byEnvironment.getOrDefault(event.environmentId(), Set.of()))) {
            if (!session.agent().agentId().equals(event.agentId())) {
                session.refuse("agent " + event.agentId() + " enrolled for the environment");
            }
        }
    }

    /**
     * Looks for commands queued by any replica (the database is the outbox): one query for the
     * environments with a queued command, then a push only by the sessions of those held here.
     */
    void pollQueued() {
        if (byEnvironment.isEmpty()) {
            return;
        }
        wake(outbox.environmentsWithQueued());
    }

    /**
     * Writes last-seen of every session heard since the previous batch, in one batch, and closes the
     * streams of agents the write found revoked or unknown.
     */
    void flushLastSeen() {
        Instant since = lastSeenFlushed;
        lastSeenFlushed = clock.instant();
        Map<String, ControlSession> heard = new HashMap<>();
        byAgent.forEach((agentId, session) -> {
            if (session.welcomed() && !session.lastHeard().isBefore(since)) {
                heard.put(agentId, session);
            }
        });
        if (heard.isEmpty()) {
            return;
        }
        for (String refused : presence.heard(heard.keySet(), replicaId)) {
            heard.get(refused).refuse("found at the last-seen write");
        }
    }

    /** Closes streams that sent nothing for {@code silentFor}, so that the agent reconnects. */
    void closeSilent(Duration silentFor) {
        Instant limit = clock.instant().minus(silentFor);
        for (ControlSession session : List.copyOf(byAgent.values())) {
            if (session.lastHeard().isBefore(limit)) {
                LOG.warn("No message from {} for {}s; closing its stream", session.describe(), silentFor.toSeconds());
                session.close(Status.UNAVAILABLE.withDescription("no message for " + silentFor.toSeconds() + "s"));
            }
        }
    }

    /** Cuts the stream of an agent revoked through this replica's API, once the revocation committed. */
    @EventListener
    public void onAgentRevoked(AgentRevoked event) {
        refuseIfHeld(event.agentId(), "revoked");
    }

    /**
     * Cuts the streams of agents revoked through any replica since {@code since}: one indexed query for
     * the few recent revocations, so every replica cuts them within a poll interval.
     */
    void closeRecentlyRevoked(Instant since) {
        if (byAgent.isEmpty()) {
            return;
        }
        presence.revokedSince(since).forEach(agentId -> refuseIfHeld(agentId, "revoked (seen by the revocation poll)"));
    }

    private void refuseIfHeld(String agentId, String why) {
        ControlSession session = byAgent.get(agentId);
        if (session != null) {
            session.refuse(why);
        }
    }

    /** Closes streams of agents that were revoked or re-enrolled since they connected, or whose certificate a renewal replaced. */
    void closeRevoked() {
        List<ControlSession> held = List.copyOf(byAgent.values());
        if (held.isEmpty()) {
            return;
        }
        Map<String, ActiveAgent> active = presence.findActive(held.stream().map(s -> s.agent().agentId()).toList());
        for (ControlSession session : held) {
            ActiveAgent now = active.get(session.agent().agentId());
            if (now == null || !now.stillAdmits(session.agent())) {
                session.refuse("found at revalidation");
            }
        }
    }

    /** Makes the session the agent's current one and closes the one it replaces. */
    void register(ControlSession session) {
        byEnvironment.computeIfAbsent(session.agent().environmentId(), id -> ConcurrentHashMap.newKeySet()).add(session);
        ControlSession older = byAgent.put(session.agent().agentId(), session);
        if (session.isEnded()) {
            // It ended (cancelled) while its Hello was handled: its end found nothing to remove.
            forget(session);
            byAgent.remove(session.agent().agentId(), session);
        }
        if (older != null && older != session) {
            LOG.info("New stream of {} replaces its older one", session.describe());
            older.close(Status.ABORTED.withDescription(REPLACED));
        }
    }

    /** A session ended; the agent goes offline unless a newer stream replaced this one. */
    void ended(ControlSession session, String why) {
        forget(session);
        if (byAgent.remove(session.agent().agentId(), session)) {
            LOG.info("Agent disconnected: {} ({})", session.describe(), why);
            try {
                presence.disconnected(session.agent().agentId(), replicaId);
            } catch (RuntimeException e) {
                LOG.warn("Cannot record disconnect of {}; the offline sweep will", session.describe(), e);
            }
        }
    }

    private void forget(ControlSession session) {
        byEnvironment.computeIfPresent(session.agent().environmentId(), (id, sessions) -> {
            sessions.remove(session);
            return sessions.isEmpty() ? null : sessions;
        });
    }

    /** Closes every stream, e.g. at shutdown. */
    void closeAll(Status status) {
        List.copyOf(byAgent.values()).forEach(s -> s.close(status));
    }
}
