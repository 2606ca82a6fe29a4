package dev.outpost.hub.deployments.lifecycle;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.outpost.hub.store.JsonColumns;
import dev.outpost.hub.store.Sql;
import jakarta.inject.Singleton;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** SQL for deployment revisions. */
@Singleton
public class RevisionStore {
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };
    private final JsonColumns json;

    public RevisionStore(JsonColumns json) {
        this.json = json;
    }

    /**
     * Records the deployment's next revision and forgets all but the newest {@code kept}; answers its
     * number. One operation per deployment is active at a time, so two never race for a number.
     */
    public long record(Sql sql, String deploymentId, String tenantId, String operationId, String releaseId,
                       Map<String, ?> parameters, String planName, String contentHash, int kept, Instant now) {
        long number = sql.queryOne("select coalesce(max(number), 0) as latest from deployment_revisions "
                + "where deployment_id = ?", rs -> rs.getLong("latest"), deploymentId).orElse(0L) + 1;
        sql.update("insert into deployment_revisions (deployment_id, number, tenant_id, operation_id, release_id, "
                        + "parameters_json, plan_name, content_hash, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                deploymentId, number, tenantId, operationId, releaseId, json.write(parameters), planName, contentHash,
                now);
        sql.update("delete from deployment_revisions where deployment_id = ? and number <= ?", deploymentId,
                number - kept);
        return number;
    }

    /** The kept revisions of a deployment, newest first (at most as many as are kept). */
    public List<Revision> list(Sql sql, String deploymentId) {
        return sql.query("select * from deployment_revisions where deployment_id = ? order by number desc", this::map,
                deploymentId);
    }

    private Revision map(ResultSet rs) throws SQLException {
        return new Revision(rs.getString("deployment_id"), rs.getLong("number"), rs.getString("tenant_id"),
                rs.getString("operation_id"), rs.getString("release_id"), json.read(rs.getString("parameters_json"), MAP),
                rs.getString("plan_name"), rs.getString("content_hash"), Sql.instant(rs, "created_at"));
    }
}
