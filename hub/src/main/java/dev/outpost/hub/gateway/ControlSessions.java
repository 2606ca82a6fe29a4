package dev.outpost.hub.gateway;

import dev.outpost.hub.agents.AgentPresence;
import dev.outpost.hub.deployments.CommandQueued;
import dev.outpost.hub.enrollment.AgentEnrolled;
import io.grpc.Status;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.inject.Singleton;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control streams this hub replica holds, one per agent: a newer stream of the same agent
 * replaces the older. Wakes the right session when a command is queued, and runs the periodic
 * chores (poll for commands queued by other replicas, close silent or revoked streams).
 */
@Singleton
public class ControlSessions {
    static final String REPLACED = "replaced by a newer stream";
    private static final Logger LOG = LoggerFactory.getLogger(ControlSessions.class);

    private final AgentPresence presence;
    private final Clock clock;
    private final String replicaId;
    private final ConcurrentMap<String, ControlSession> byAgent = new ConcurrentHashMap<>();

    public ControlSessions(AgentPresence presence, Clock clock) {
        this.presence = presence;
        this.clock = clock;
        byte[] random = new byte[6];
        new SecureRandom().nextBytes(random);
        this.replicaId = "hub-" + HexFormat.of().formatHex(random);
    }

    /** Random id of this hub process, recorded with each agent it holds a stream of. */
    public String replicaId() {
        return replicaId;
    }

    /** Number of open, welcomed streams on this replica. */
    public int size() {
        return byAgent.size();
    }

    /** Wakes the session of the environment's agent so that a newly queued command goes out at once. */
    @EventListener
    public void onCommandQueued(CommandQueued event) {
        byAgent.values().stream()
                .filter(s -> s.agent().environmentId().equals(event.environmentId()))
                .forEach(ControlSession::requestPush);
    }

    /**
     * Closes this replica's streams of the environment's previous agents at once: enrolment revoked
     * them. Other replicas close theirs at their next revalidation or the agent's next message.
     */
    @EventListener
    public void onAgentEnrolled(AgentEnrolled event) {
        for (ControlSession session : List.copyOf(byAgent.values())) {
            if (session.agent().environmentId().equals(event.environmentId())
                    && !session.agent().agentId().equals(event.agentId())) {
                session.refuse("agent " + event.agentId() + " enrolled for the environment");
            }
        }
    }

    /** Looks for commands queued by any replica (the database is the outbox). */
    void pollAll() {
        byAgent.values().forEach(ControlSession::requestPush);
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

    /** Closes streams of agents that were revoked or re-enrolled since they connected. */
    void closeRevoked() {
        for (ControlSession session : List.copyOf(byAgent.values())) {
            boolean admitted = presence.findActive(session.agent().agentId()).filter(session.agent()::equals).isPresent();
            if (!admitted) {
                session.refuse("found at revalidation");
            }
        }
    }

    /** Makes the session the agent's current one and closes the one it replaces. */
    void register(ControlSession session) {
        ControlSession older = byAgent.put(session.agent().agentId(), session);
        if (older != null && older != session) {
            LOG.info("New stream of {} replaces its older one", session.describe());
            older.close(Status.ABORTED.withDescription(REPLACED));
        }
    }

    /** A session ended; the agent goes offline unless a newer stream replaced this one. */
    void ended(ControlSession session, String why) {
        if (byAgent.remove(session.agent().agentId(), session)) {
            LOG.info("Agent disconnected: {} ({})", session.describe(), why);
            try {
                presence.disconnected(session.agent().agentId(), replicaId);
            } catch (RuntimeException e) {
                LOG.warn("Cannot record disconnect of {}; the offline sweep will", session.describe(), e);
            }
        }
    }

    /** Closes every stream, e.g. at shutdown. */
    void closeAll(Status status) {
        List.copyOf(byAgent.values()).forEach(s -> s.close(status));
    }
}
