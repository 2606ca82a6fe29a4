package dev.outpost.hub.environments;

import dev.outpost.hub.agents.Agent;
import dev.outpost.hub.store.Sql;
import jakarta.inject.Singleton;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** SQL for environments. */
@Singleton
public class EnvironmentStore {
    // The current agent is the environment's one non-revoked agent (enrollment revokes the previous one).
    private static final String SELECT = "select e.*, a.id as agent_id, a.status as agent_status, "
            + "a.condition_state as agent_condition_state, a.condition_reason as agent_condition_reason, "
            + "a.condition_since as agent_condition_since from environments e "
            + "left join agents a on a.environment_id = e.id and a.status <> 'revoked' ";

    /** Inserts an environment; a duplicate (tenant, name) raises DuplicateKeyException. */
    public void insert(Sql sql, Environment env) {
        sql.update("insert into environments (id, tenant_id, name, cloud, region, cluster_name, created_at) "
                        + "values (?, ?, ?, ?, ?, ?, ?)",
                env.id(), env.tenantId(), env.name(), env.cloud(), env.region(), env.clusterName(), env.createdAt());
    }

    public Optional<Environment> find(Sql sql, String id) {
        return sql.queryOne(SELECT + "where e.id = ?", EnvironmentStore::map, id);
    }

    /** Environments of {@code tenantId}, or of all tenants when it is empty. */
    public List<Environment> list(Sql sql, Optional<String> tenantId) {
        return tenantId.isEmpty()
                ? sql.query(SELECT + "order by e.created_at, e.id", EnvironmentStore::map)
                : sql.query(SELECT + "where e.tenant_id = ? order by e.created_at, e.id", EnvironmentStore::map, tenantId.get());
    }

    private static Environment map(ResultSet rs) throws SQLException {
        return new Environment(rs.getString("id"), rs.getString("tenant_id"), rs.getString("name"),
                rs.getString("cloud"), rs.getString("region"), rs.getString("cluster_name"),
                Sql.instant(rs, "created_at"), rs.getString("agent_id"), rs.getString("agent_status"),
                rs.getString("agent_condition_state") == null ? null : new Agent.Condition(
                        rs.getString("agent_condition_state"), rs.getString("agent_condition_reason"),
                        Sql.instant(rs, "agent_condition_since")));
    }
}
