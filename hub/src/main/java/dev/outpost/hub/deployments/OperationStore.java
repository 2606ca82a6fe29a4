package dev.outpost.hub.deployments;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.outpost.hub.deployments.lifecycle.OperationLifecycle;
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
        insertAll(sql, List.of(op));
    }

    /** Inserts operations as one JDBC batch. */
    public void insertAll(Sql sql, List<Operation> ops) {
        List<Object[]> rows = new java.util.ArrayList<>(ops.size());
        for (Operation op : ops) {
            rows.add(new Object[] {op.id(), op.deploymentId(), op.tenantId(), op.type(), op.generation(), op.status(),
                    json.write(op.steps()), op.failureReason(), op.failedStep(), op.retryOf(), op.createdAt(),
                    op.startedAt(), op.finishedAt()});
        }
        if (!rows.isEmpty()) {
            sql.batch("insert into operations (id, deployment_id, tenant_id, type, generation, status, steps_json, "
                    + "failure_reason, failed_step, retry_of, created_at, started_at, finished_at) "
                    + "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows);
        }
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

    /** The latest operation of a deployment (the highest generation: every operation starts the next one). */
    public Optional<Operation> latestOf(Sql sql, String deploymentId) {
        return sql.queryOne("select * from operations where deployment_id = ? order by generation desc "
                + "fetch first 1 rows only", this::map, deploymentId);
    }

    /**
     * Moves a running or pending operation to {@code to} (as {@code OperationLifecycle} decided from
     * {@code from}), keeping the first start time, with the steps reported so far; false if it was no
     * longer {@code from} (another report or replica moved it first).
     */
    public boolean markRunning(Sql sql, String id, Operation.Status from, Operation.Status to,
                               List<Operation.Step> steps, Instant now) {
        return sql.update("update operations set status = ?, started_at = coalesce(started_at, ?), steps_json = ? "
                + "where id = ? and status = ?", to, now, json.write(steps), id, from) == 1;
    }

    /** Records how an operation that was {@code from} ended; false if it was no longer {@code from}. */
    public boolean finish(Sql sql, String id, Operation.Status from, OperationLifecycle.Ending ending,
                          List<Operation.Step> steps, Instant now) {
        return sql.update("update operations set status = ?, failure_reason = ?, failed_step = ?, steps_json = ?, "
                        + "finished_at = ?, started_at = coalesce(started_at, ?) where id = ? and status = ?",
                ending.status(), ending.failureReason(), ending.failedStep(), json.write(steps), now, now, id,
                from) == 1;
    }

    private Operation map(ResultSet rs) throws SQLException {
        return new Operation(rs.getString("id"), rs.getString("deployment_id"), rs.getString("tenant_id"),
                Operation.Type.valueOf(rs.getString("type").toUpperCase(Locale.ROOT)), rs.getLong("generation"),
                Operation.Status.valueOf(rs.getString("status").toUpperCase(Locale.ROOT)),
                json.read(rs.getString("steps_json"), STEPS), rs.getString("failure_reason"),
                rs.getString("failed_step"), rs.getString("retry_of"), Sql.instant(rs, "created_at"), Sql.instant(rs, "started_at"), Sql.instant(rs, "finished_at"), null);
    }
}
