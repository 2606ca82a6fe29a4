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

    /** Records a (re)connection with the facts and applied list the agent sent; false if revoked or unknown. */
    public boolean connected(Sql sql, String agentId, String replicaId, String version, String kubernetesVersion,
                             int nodeCount, String platform, List<AppliedDeployment> applied, Instant now) {
        return sql.update("update agents set status = 'online', last_seen_at = ?, replica_id = ?, version = ?, "
                        + "kubernetes_version = ?, node_count = ?, platform = ?, applied_json = ? "
                        + "where id = ? and status <> 'revoked'",
                now, replicaId, version, kubernetesVersion, nodeCount, platform, appliedJson(applied), agentId) == 1;
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
        return new Agent(rs.getString("id"), rs.getString("tenant_id"), rs.getString("environment_id"),
                rs.getString("status"), rs.getString("version"), Sql.instant(rs, "last_seen_at"),
                Sql.instant(rs, "enrolled_at"), rs.getString("kubernetes_version"), rs.getInt("node_count"),
                rs.getString("platform"), Sql.instant(rs, "certificate_not_after"), applied);
    }
}
