package dev.outpost.hub.gateway;

import dev.outpost.hub.agents.ActiveAgent;
import dev.outpost.hub.agents.AgentPresence;
import dev.outpost.protocol.v1.Hello;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** AgentPresence over maps, recording what the gateway told it. */
final class InMemoryAgentPresence implements AgentPresence {
    private final Map<String, ActiveAgent> active = new ConcurrentHashMap<>();
    private final Map<String, String> onlineOn = new ConcurrentHashMap<>();
    private final Map<String, Instant> revoked = new ConcurrentHashMap<>();
    final List<String> events = new CopyOnWriteArrayList<>();
    /** Agent ids looked up by findActive (the certificate check and the revalidation), in order. */
    final List<String> lookups = new CopyOnWriteArrayList<>();
    final List<Hello> hellos = new CopyOnWriteArrayList<>();

    void admit(ActiveAgent agent) {
        active.put(agent.agentId(), agent);
    }

    void revoke(String agentId) {
        active.remove(agentId);
        revoked.put(agentId, Instant.now());
    }

    List<ActiveAgent> activeAgents() {
        return List.copyOf(active.values());
    }

    boolean isOnline(String agentId) {
        return onlineOn.containsKey(agentId);
    }

    /** Whether the agent is the environment's current (admitted) agent. */
    boolean isCurrent(String agentId, String environmentId) {
        ActiveAgent agent = active.get(agentId);
        return agent != null && agent.environmentId().equals(environmentId);
    }

    @Override
    public Optional<ActiveAgent> findActive(String agentId) {
        lookups.add(agentId);
        return Optional.ofNullable(active.get(agentId));
    }

    @Override
    public void certificateTakenOver(String agentId, String nextSerialHex) {
        active.computeIfPresent(agentId, (id, agent) -> nextSerialHex.equals(agent.nextCertificateSerialHex())
                ? new ActiveAgent(id, agent.tenantId(), agent.environmentId(), nextSerialHex) : agent);
        events.add("took over " + agentId);
    }

    @Override
    public boolean connected(String agentId, String replicaId, Hello hello) {
        if (!active.containsKey(agentId)) {
            events.add("refused " + agentId);
            return false;
        }
        onlineOn.put(agentId, replicaId);
        hellos.add(hello);
        events.add("connected " + agentId);
        return true;
    }

    @Override
    public Map<String, ActiveAgent> findActive(Collection<String> agentIds) {
        Map<String, ActiveAgent> found = new HashMap<>();
        agentIds.forEach(id -> findActive(id).ifPresent(agent -> found.put(id, agent)));
        return found;
    }

    @Override
    public Set<String> heard(Collection<String> agentIds, String replicaId) {
        Set<String> refused = new HashSet<>();
        for (String agentId : agentIds) {
            events.add("heartbeat " + agentId);
            if (!active.containsKey(agentId)) {
                refused.add(agentId);
            }
        }
        return refused;
    }

    @Override
    public void disconnected(String agentId, String replicaId) {
        onlineOn.remove(agentId, replicaId);
        events.add("disconnected " + agentId);
    }

    @Override
    public int markSilentOffline(Duration silentFor) {
        return 0;
    }

    @Override
    public Set<String> revokedSince(Instant since) {
        Set<String> ids = new HashSet<>();
        revoked.forEach((id, at) -> {
            if (!at.isBefore(since)) {
                ids.add(id);
            }
        });
        return ids;
    }
}
