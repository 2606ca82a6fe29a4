package dev.outpost.hub.agents;

import dev.outpost.hub.deployments.AppliedClaims;
import dev.outpost.hub.deployments.packaged.AgentFactsStore;
import dev.outpost.hub.ops.HubMetrics;
import dev.outpost.hub.store.Database;
import dev.outpost.hub.store.Sql;
import dev.outpost.protocol.text.FreeText;
import dev.outpost.protocol.v1.AgentCondition;
import dev.outpost.protocol.v1.AgentState;
import dev.outpost.protocol.v1.Hello;
import jakarta.inject.Singleton;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link AgentPresence} on the hub's database. */
@Singleton
public class JdbcAgentPresence implements AgentPresence {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcAgentPresence.class);
    private static final String ACTIVE =
            "select id, tenant_id, environment_id, certificate_serial, next_certificate_serial from agents "
                    + "where status <> 'revoked' and ";
    /** Ids per IN list. */
    private static final int CHUNK = 500;

    private final Database db;
    private final AgentStore agents;
    private final AppliedClaims claims;
    private final HubMetrics metrics;
    private final Clock clock;
    private final AgentFactsStore facts;

    public JdbcAgentPresence(Database db, AgentStore agents, AppliedClaims claims, HubMetrics metrics, Clock clock,
                             AgentFactsStore facts) {
        this.facts = facts;
        this.db = db;
        this.agents = agents;
        this.claims = claims;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public Optional<ActiveAgent> findActive(String agentId) {
        return db.read(sql -> activeIn(sql, agentId));
    }

    private static Optional<ActiveAgent> activeIn(Sql sql, String agentId) {
        return sql.queryOne(ACTIVE + "id = ?", JdbcAgentPresence::active, agentId);
    }

    private static ActiveAgent active(ResultSet rs) throws SQLException {
        return new ActiveAgent(rs.getString("id"), rs.getString("tenant_id"), rs.getString("environment_id"),
                rs.getString("certificate_serial"), rs.getString("next_certificate_serial"));
    }

    @Override
    public void certificateTakenOver(String agentId, String nextSerialHex) {
        int changed = db.inTransaction(sql -> sql.update("update agents set certificate_serial = next_certificate_serial, "
                        + "certificate_not_after = next_certificate_not_after, next_certificate_serial = null, "
                        + "next_certificate_not_after = null where id = ? and next_certificate_serial = ? and status <> 'revoked'",
                agentId, nextSerialHex));
        if (changed > 0) {
            LOG.info("agent={} connected with its renewed certificate {}; the previous one is refused from now on",
                    agentId, nextSerialHex);
        }
    }

    @Override
    public Map<String, ActiveAgent> findActive(Collection<String> agentIds) {
        Map<String, ActiveAgent> found = new HashMap<>();
        for (List<String> chunk : chunks(agentIds)) {
            db.read(sql -> sql.query(ACTIVE + "id in (" + Sql.placeholders(chunk.size()) + ")", JdbcAgentPresence::active,
                    chunk.toArray())).forEach(agent -> found.put(agent.agentId(), agent));
        }
        return found;
    }

    @Override
    public Set<String> revokedSince(Instant since) {
        return new HashSet<>(db.read(sql -> sql.query("select id from agents where revoked_at >= ?",
                rs -> rs.getString("id"), since)));
    }

    @Override
    public Set<String> heard(Collection<String> agentIds, String replicaId) {
        Set<String> refused = new HashSet<>();
        Instant now = clock.instant();
        // One statement per chunk, all in one transaction: a replica's whole fleet costs one commit, not
        // one per heartbeat. Only a chunk that updated fewer rows than it named is looked at again.
        db.inTransaction(sql -> {
            for (List<String> chunk : chunks(agentIds)) {
                int updated = agents.heardAll(sql, chunk, replicaId, now);
                if (updated < chunk.size()) {
                    Set<String> missing = new HashSet<>(chunk);
                    sql.query(ACTIVE + "id in (" + Sql.placeholders(chunk.size()) + ")", rs -> rs.getString("id"),
                            chunk.toArray()).forEach(missing::remove);
                    refused.addAll(missing);
                }
            }
            return null;
        });
        if (!refused.isEmpty()) {
            LOG.warn("{} agent(s) heard on replica {} are revoked or unknown; nothing recorded for them: {}",
                    refused.size(), replicaId, refused.size() > 10 ? List.copyOf(refused).subList(0, 10) + " …" : refused);
        }
        return refused;
    }

    /**
     * The ids in chunks that keep each IN list short enough for every database and its planner; sorted,
     * so two replicas updating overlapping agents lock their rows in the same order (no deadlock).
     */
    private static List<List<String>> chunks(Collection<String> ids) {
        List<String> all = ids.stream().sorted().distinct().toList();
        List<List<String>> chunks = new ArrayList<>();
        for (int from = 0; from < all.size(); from += CHUNK) {
            chunks.add(all.subList(from, Math.min(all.size(), from + CHUNK)));
        }
        return chunks;
    }

    /** An agent that is online now, and what of its Hello's applied list held. */
    private record Connected(ActiveAgent agent, AppliedClaims.Checked applied) {
    }

    @Override
    public boolean connected(String agentId, String replicaId, Hello hello) {
        // The gateway checked the fields' shape; what the agent claims to have applied is checked here.
        Agent.Condition condition = hello.hasCondition() ? condition(hello.getCondition()) : null;
        Integer nodeCount = hello.getCluster().hasNodeCount() ? Integer.valueOf(Math.max(0, hello.getCluster().getNodeCount())) : null;
        Optional<Connected> connected = db.inTransaction(sql -> {
            Optional<ActiveAgent> agent = activeIn(sql, agentId);
            if (agent.isEmpty()) {
                return Optional.<Connected>empty();
            }
            AppliedClaims.Checked applied = claims.check(sql, agent.get().environmentId(), hello.getAppliedList());
            boolean updated = agents.connected(sql, agentId, replicaId, FreeText.normalize(hello.getAgentVersion()),
                    FreeText.normalize(hello.getCluster().getKubernetesVersion()), nodeCount,
                    FreeText.normalize(hello.getCluster().getPlatform()), applied.accepted(),
                    hello.getAllowedNamespacesList(), condition, clock.instant());
            if (updated) {
                facts.recordHello(sql, agentId, hello); // revision, namespace creation, API versions: for packages
            }
            return updated ? Optional.of(new Connected(agent.get(), applied)) : Optional.<Connected>empty();
        });
        connected.ifPresent(c -> {
            AppliedClaims.Checked applied = c.applied();
            LOG.info("agent={} tenant={} environment={} online on replica {} (version {}, {} deployment(s) applied, "
                            + "namespaces {}, {})", agentId, c.agent().tenantId(), c.agent().environmentId(), replicaId,
                    FreeText.forLog(hello.getAgentVersion()), applied.accepted().size(),
                    hello.getAllowedNamespacesCount() == 0 ? "not told" : hello.getAllowedNamespacesList(),
                    describe(condition));
            if (applied.refusedCount() > 0) {
                metrics.claimsRefused("hello_applied", applied.refusedCount());
                LOG.warn("agent={} tenant={} environment={} claimed {} applied deployment(s) the hub did not issue; "
                        + "not stored: {}; first: {}", agentId, c.agent().tenantId(), c.agent().environmentId(),
                        applied.refusedCount(), applied.refused(), applied.firstRefused().orElse(""));
            }
        });
        boolean updated = connected.isPresent();
        if (!updated) {
            LOG.warn("agent {} connected on replica {} but is revoked or unknown; nothing recorded", agentId, replicaId);
        }
        return updated;
    }

    @Override
    public boolean heartbeat(String agentId, String replicaId, AgentCondition reported) {
        Agent.Condition condition = reported == null ? null : condition(reported);
        boolean[] changed = new boolean[1];
        boolean heard = db.inTransaction(sql -> {
            changed[0] = condition != null && agents.conditionChanged(sql, agentId, condition);
            return agents.heard(sql, agentId, replicaId, clock.instant());
        });
        if (heard && changed[0]) {
            if (Agent.Condition.DEGRADED.equals(condition.state())) {
                LOG.warn("agent {} degraded since {}: {}", agentId, condition.since(), FreeText.forLog(condition.reason()));
            } else {
                LOG.info("agent {} ready (since {})", agentId, condition.since());
            }
        }
        return heard;
    }

    /** The stored form of a reported condition (checked by {@code AgentMessageRules} before it gets here). */
    private static Agent.Condition condition(AgentCondition reported) {
        boolean degraded = reported.getState() == AgentState.AGENT_STATE_DEGRADED;
        return new Agent.Condition(degraded ? Agent.Condition.DEGRADED : Agent.Condition.READY,
                degraded ? FreeText.normalize(reported.getReason()) : null, Instant.ofEpochMilli(reported.getSinceUnixMs()));
    }

    private static String describe(Agent.Condition condition) {
        return condition == null ? "condition not told"
                : condition.reason() == null ? condition.state() : condition.state() + ": " + FreeText.forLog(condition.reason());
    }

    @Override
    public void disconnected(String agentId, String replicaId) {
        int changed = db.inTransaction(sql -> sql.update(
                "update agents set status = 'offline', replica_id = null "
                        + "where id = ? and replica_id = ? and status = 'online'",
                agentId, replicaId));
        if (changed > 0) {
            LOG.info("agent {} offline (stream on replica {} ended)", agentId, replicaId);
        }
    }

    @Override
    public int markSilentOffline(Duration silentFor) {
        Instant cutoff = clock.instant().minus(silentFor);
        int changed = db.inTransaction(sql -> sql.update(
                "update agents set status = 'offline', replica_id = null where status = 'online' and last_seen_at < ?",
                cutoff));
        if (changed > 0) {
            LOG.info("{} agent(s) marked offline: silent for more than {}", changed, silentFor);
        }
        return changed;
    }
}
