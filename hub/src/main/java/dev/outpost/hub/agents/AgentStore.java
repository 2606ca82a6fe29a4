package dev.outpost.hub.agents;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.outpost.hub.store.JsonColumns;
import dev.outpost.hub.store.Sql;
import dev.outpost.hub.store.Where;
import dev.outpost.protocol.v1.AppliedDeployment;
import jakarta.inject.Singleton;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** SQL for agents. */
@Singleton
public class AgentStore {
    private static final TypeReference<List<Agent.Applied>> APPLIED = new TypeReference<>() {
    };
    private static final TypeReference<List<String>> NAMESPACES = new TypeReference<>() {
    };
    private final JsonColumns json;

    public AgentStore(JsonColumns json) {
        this.json = json;
    }

    public Optional<Agent> find(Sql sql, String id) {
        return sql.queryOne("select * from agents where id = ?", this::map, id);
    }

    /** Agents, newest first, optionally of one tenant and/or one environment. */
    public List<Agent> list(Sql sql, Optional<String> tenantId, Optional<String> environmentId) {
        Where where = new Where().equal("tenant_id", tenantId).equal("environment_id", environmentId);
        return sql.query("select * from agents" + where.sql() + " order by enrolled_at desc, id", this::map, where.params());
    }

    /**
     * Records a (re)connection with the facts, applied list, allowed namespaces (empty: not told) and
     * condition (null: not told) the agent sent; false if revoked or unknown.
     */
    public boolean connected(Sql sql, String agentId, String replicaId, String version, String kubernetesVersion,
                             Integer nodeCount, String platform, List<AppliedDeployment> applied,
                             List<String> allowedNamespaces, Agent.Condition condition, Instant now) {
        return sql.update("update agents set status = 'online', last_seen_at = ?, replica_id = ?, version = ?, "
                        + "kubernetes_version = ?, node_count = ?, platform = ?, applied_json = ?, "
                        + "allowed_namespaces_json = ?, condition_state = ?, condition_reason = ?, condition_since = ? "
                        + "where id = ? and status <> 'revoked'",
                now, replicaId, version, kubernetesVersion, nodeCount, platform, appliedJson(applied),
                allowedNamespaces.isEmpty() ? null : json.write(allowedNamespaces),
                condition == null ? null : condition.state(), condition == null ? null : condition.reason(),
                condition == null ? null : condition.since(), agentId) == 1;
    }

    /**
     * A message arrived on the stream held by {@code replicaId}: last seen now, online again. False if
     * revoked or unknown.
     */
    public boolean heard(Sql sql, String agentId, String replicaId, Instant now) {
        // Online again too: the sweeper may have marked a slow but live agent offline (and cleared its
        // replica, which must be set again or this replica's disconnect would not take it offline).
        return sql.update("update agents set last_seen_at = ?, status = 'online', replica_id = coalesce(replica_id, ?) "
                + "where id = ? and status <> 'revoked'", now, replicaId, agentId) == 1;
    }

    /**
     * {@link #heard} for many agents in one statement (at most a few hundred ids); returns how many rows
     * it updated, i.e. how many of them are not revoked.
     */
    public int heardAll(Sql sql, List<String> agentIds, String replicaId, Instant now) {
        Object[] params = new Object[agentIds.size() + 2];
        params[0] = now;
        params[1] = replicaId;
        for (int i = 0; i < agentIds.size(); i++) {
            params[i + 2] = agentIds.get(i);
        }
        return sql.update("update agents set last_seen_at = ?, status = 'online', replica_id = coalesce(replica_id, ?) "
                + "where status <> 'revoked' and id in (" + Sql.placeholders(agentIds.size())
                + ")", params);
    }

    /** Records the agent's condition; true only when it differs from the recorded one (so a change can be logged). */
    public boolean conditionChanged(Sql sql, String agentId, Agent.Condition condition) {
        String reason = condition.reason() == null ? "" : condition.reason();
        return sql.update("update agents set condition_state = ?, condition_reason = ?, condition_since = ? "
                        + "where id = ? and status <> 'revoked' and (condition_state is null or condition_state <> ? "
                        + "or coalesce(condition_reason, '') <> ? or condition_since <> ?)",
                condition.state(), condition.reason(), condition.since(), agentId, condition.state(), reason,
                condition.since()) == 1;
    }

    /** The namespaces the environment's current agent may touch; empty when there is no agent or it has not told. */
    public Optional<List<String>> allowedNamespacesInEnvironment(Sql sql, String environmentId) {
        return sql.queryOne("select allowed_namespaces_json from agents where environment_id = ? and status <> 'revoked'",
                rs -> Optional.ofNullable(rs.getString("allowed_namespaces_json")), environmentId)
                .flatMap(text -> text.map(t -> json.read(t, NAMESPACES)));
    }

    /** The environment's current (non-revoked) agent, if one has enrolled. */
    public Optional<Agent> currentInEnvironment(Sql sql, String environmentId) {
        return sql.queryOne("select * from agents where environment_id = ? and status <> 'revoked'", this::map,
                environmentId);
    }

    /** {@link #currentInEnvironment} of many environments, by environment id (none for one without an agent). */
    public java.util.Map<String, Agent> currentInEnvironments(Sql sql, java.util.Collection<String> environmentIds) {
        java.util.Map<String, Agent> byEnvironment = new java.util.HashMap<>();
        for (List<String> ids : Sql.inLists(environmentIds)) {
            sql.query("select * from agents where environment_id in (" + Sql.placeholders(ids.size())
                    + ") and status <> 'revoked'", this::map, ids.toArray())
                    .forEach(agent -> byEnvironment.put(agent.environmentId(), agent));
        }
        return byEnvironment;
    }

    /** Revokes the agent: its certificate is refused from now on. Revoking twice keeps the first time. */
    public void revoke(Sql sql, String agentId, Instant now) {
        sql.update("update agents set status = 'revoked', revoked_at = ?, replica_id = null "
                + "where id = ? and status <> 'revoked'", now, agentId);
    }

    /** How many agents are online now. */
    public long countOnline(Sql sql) {
        return sql.count("select count(*) from agents where status = 'online'");
    }

    private String appliedJson(List<AppliedDeployment> applied) {
        List<Agent.Applied> entries = applied.stream()
                .map(a -> new Agent.Applied(a.getDeploymentId(), a.getGeneration(), a.getContentHash()))
                .toList();
        return json.write(entries);
    }

    private Agent map(ResultSet rs) throws SQLException {
        List<Agent.Applied> applied = json.read(rs.getString("applied_json"), APPLIED);
        String namespaces = rs.getString("allowed_namespaces_json");
        String state = rs.getString("condition_state");
        Integer nodeCount = rs.getObject("node_count") == null ? null : rs.getInt("node_count");
        return new Agent(rs.getString("id"), rs.getString("tenant_id"), rs.getString("environment_id"),
                rs.getString("status"), rs.getString("version"), Sql.instant(rs, "last_seen_at"),
                Sql.instant(rs, "enrolled_at"), rs.getString("kubernetes_version"), nodeCount,
                rs.getString("platform"), Sql.instant(rs, "certificate_not_after"), applied,
                namespaces == null ? null : json.read(namespaces, NAMESPACES),
                state == null ? null : new Agent.Condition(state, rs.getString("condition_reason"),
                        Sql.instant(rs, "condition_since")));
    }
}
