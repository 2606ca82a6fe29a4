package dev.outpost.hub.deployments;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.outpost.hub.store.JsonColumns;
import dev.outpost.hub.store.Sql;
import dev.outpost.hub.store.Where;
import jakarta.inject.Singleton;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** SQL for operations. */
@Singleton
public class OperationStore {
    private static final TypeReference<List<Operation.Step>> STEPS = new TypeReference<>() {
    };
    private final JsonColumns json;

    public OperationStore(JsonColumns json) {
        this.json = json;
    }

    public void insert(Sql sql, Operation op) {
        sql.update("insert into operations (id, deployment_id, tenant_id, type, generation, status, steps_json, "
                        + "failure_reason, created_at, started_at, finished_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                op.id(), op.deploymentId(), op.tenantId(), op.type(), op.generation(), op.status(),
                json.write(op.steps()), op.failureReason(), op.createdAt(), op.startedAt(), op.finishedAt());
    }

    public Optional<Operation> find(Sql sql, String id) {
        return sql.queryOne("select * from operations where id = ?", this::map, id);
    }

    /** Operations, newest first, optionally of one tenant and/or deployment. */
    public List<Operation> list(Sql sql, Optional<String> tenantId, Optional<String> deploymentId) {
        Where where = new Where().equal("tenant_id", tenantId).equal("deployment_id", deploymentId);
        return sql.query("select * from operations" + where.sql() + " order by created_at desc, id", this::map,
                where.params());
    }

    /** Marks the operation running (keeping the first start time) with the steps reported so far. */
    public void markRunning(Sql sql, String id, List<Operation.Step> steps, Instant now) {
        sql.update("update operations set status = 'running', started_at = coalesce(started_at, ?), steps_json = ? "
                + "where id = ? and status in ('pending', 'running')", now, json.write(steps), id);
    }

    /** Records the outcome of a pending or running operation; false if it had finished already. */
    public boolean finish(Sql sql, String id, Operation.Status status, String failureReason, List<Operation.Step> steps,
                          Instant now) {
        return sql.update("update operations set status = ?, failure_reason = ?, steps_json = ?, finished_at = ?, "
                        + "started_at = coalesce(started_at, ?) where id = ? and status in ('pending', 'running')",
                status, failureReason, json.write(steps), now, now, id) == 1;
    }

    private Operation map(ResultSet rs) throws SQLException {
        return new Operation(rs.getString("id"), rs.getString("deployment_id"), rs.getString("tenant_id"),
                Operation.Type.valueOf(rs.getString("type").toUpperCase(Locale.ROOT)), rs.getLong("generation"),
                Operation.Status.valueOf(rs.getString("status").toUpperCase(Locale.ROOT)),
                json.read(rs.getString("steps_json"), STEPS), rs.getString("failure_reason"),
                Sql.instant(rs, "created_at"), Sql.instant(rs, "started_at"), Sql.instant(rs, "finished_at"), null);
    }
}
