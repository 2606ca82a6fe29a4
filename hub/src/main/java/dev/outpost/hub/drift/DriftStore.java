package dev.outpost.hub.drift;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.outpost.hub.store.JsonColumns;
import dev.outpost.hub.store.Sql;
import dev.outpost.hub.store.Where;
import jakarta.inject.Singleton;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** SQL for {@code deployment_drift}: each deployment's drifted objects, in the agent's order. */
@Singleton
public class DriftStore {
    private static final TypeReference<List<String>> LIST = new TypeReference<>() {
    };
    private final JsonColumns json;

    public DriftStore(JsonColumns json) {
        this.json = json;
    }

    /** Replaces the deployment's drift with {@code objects}. */
    public void replace(Sql sql, String deploymentId, String tenantId, List<DriftedObject> objects) {
        clear(sql, deploymentId);
        for (int i = 0; i < objects.size(); i++) {
            DriftedObject o = objects.get(i);
            sql.update("insert into deployment_drift (deployment_id, tenant_id, position, api_version, kind, namespace, "
                            + "name, change_kind, fields_json, since, healed, last_seen_at) "
                            + "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    deploymentId, tenantId, i, o.apiVersion(), o.kind(), o.namespace(), o.name(), o.change().json(),
                    json.write(o.fields()), o.since(), o.healed(), o.lastSeenAt());
        }
    }

    /** Forgets the deployment's drift (a new apply succeeded, or it was deleted). */
    public static void clear(Sql sql, String deploymentId) {
        sql.update("delete from deployment_drift where deployment_id = ?", deploymentId);
    }

    public List<DriftedObject> find(Sql sql, String deploymentId) {
        return sql.query("select * from deployment_drift where deployment_id = ? order by position", this::map,
                deploymentId);
    }

    /** The drift of every deployment of the tenant (all tenants when empty) that has any, by deployment id. */
    public Map<String, List<DriftedObject>> byDeployment(Sql sql, Optional<String> tenantId) {
        Where where = new Where().equal("tenant_id", tenantId);
        Map<String, List<DriftedObject>> drift = new LinkedHashMap<>();
        sql.query("select * from deployment_drift" + where.sql() + " order by deployment_id, position",
                rs -> Map.entry(rs.getString("deployment_id"), map(rs)), where.params())
                .forEach(e -> drift.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
        return drift;
    }

    private DriftedObject map(ResultSet rs) throws SQLException {
        return new DriftedObject(rs.getString("api_version"), rs.getString("kind"), rs.getString("namespace"),
                rs.getString("name"), DriftedObject.Change.valueOf(rs.getString("change_kind").toUpperCase(Locale.ROOT)),
                json.read(rs.getString("fields_json"), LIST), Sql.instant(rs, "since"), rs.getBoolean("healed"),
                Sql.instant(rs, "last_seen_at"));
    }
}
