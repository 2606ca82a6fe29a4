package dev.outpost.hub.agents;

import dev.outpost.protocol.v1.AgentCondition;
import dev.outpost.protocol.v1.Hello;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the agent gateway needs to know and record about agents: whether a certificate's agent is
 * still admitted, and whether it is online. The gateway calls it; the store side implements it.
 */
public interface AgentPresence {

    /** The agent, if it exists and is not revoked, with the serials of the certificates it may present. */
    Optional<ActiveAgent> findActive(String agentId);

    /**
     * The agent connected with the certificate {@code nextSerialHex} a renewal issued: it becomes the
     * current one and the one it replaces is refused from now on. Nothing changes if that is no longer
     * the pending renewal (another took its place) or the agent was revoked.
     */
    void certificateTakenOver(String agentId, String nextSerialHex);

    /** {@link #findActive(String)} for many agents at once, by id; the revoked and unknown are missing. */
    Map<String, ActiveAgent> findActive(Collection<String> agentIds);

    /**
     * The agent opened a control stream on replica {@code replicaId}: online, last seen now, facts from
     * Hello. False when the agent is revoked or unknown by now (nothing is recorded then).
     */
    boolean connected(String agentId, String replicaId, Hello hello);

    /**
     * A heartbeat or any other message arrived on the stream held by {@code replicaId}: last seen now,
     * online again (held by that replica unless another holds it) if the sweep marked it offline. False
     * when the agent is revoked or unknown by now.
     */
    default boolean heartbeat(String agentId, String replicaId) {
        return heard(Set.of(agentId), replicaId).isEmpty();
    }

    /**
     * {@link #heartbeat(String, String)} for every agent the replica heard since its last batch, in a few
     * statements; returns those of them that are revoked or unknown by now (nothing is recorded for them).
     */
    Set<String> heard(Collection<String> agentIds, String replicaId);

    /**
     * As {@link #heartbeat(String, String)}, also recording the condition the message carried (checked
     * with {@code AgentMessageRules}); a null condition leaves the recorded one as it is.
     */
    default boolean heartbeat(String agentId, String replicaId, AgentCondition condition) {
        return heartbeat(agentId, replicaId);
    }

    /** The agent's stream on {@code replicaId} ended: offline, unless another replica holds it by now. */
    void disconnected(String agentId, String replicaId);

    /** Marks offline every online agent not heard from for {@code silentFor}; returns how many. */
    int markSilentOffline(Duration silentFor);

    /**
     * Agents revoked at or after {@code since} (by any replica's clock), for cutting their streams
     * within seconds on every replica; one indexed query.
     */
    Set<String> revokedSince(Instant since);
}
