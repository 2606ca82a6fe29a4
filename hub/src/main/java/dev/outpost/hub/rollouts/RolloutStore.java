package dev.outpost.hub.rollouts;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.outpost.hub.deployments.DeploymentService.BatchOutcome;
import dev.outpost.hub.store.JsonColumns;
import dev.outpost.hub.store.Sql;
import dev.outpost.hub.store.Where;
import jakarta.inject.Singleton;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** SQL for rollouts and their targets. */
@Singleton
public class RolloutStore {
    private static final TypeReference<List<String>> IDS = new TypeReference<>() {
    };
    private final JsonColumns json;

    public RolloutStore(JsonColumns json) {
        this.json = json;
    }

    /** What a rollout row holds; its progress is read from its targets. */
    record Header(String id, String tenantId, String releaseId, List<String> fromReleaseIds,
                  List<String> environmentIds, String createdBy, java.time.Instant createdAt) {
    }

    /** Inserts the rollout and one target row per outcome (one JDBC batch). */
    public void insert(Sql sql, Header rollout, List<BatchOutcome> outcomes) {
        sql.update("insert into rollouts (id, tenant_id, release_id, from_release_ids, environment_ids, created_by, "
                        + "created_at) values (?, ?, ?, ?, ?, ?, ?)", rollout.id(), rollout.tenantId(),
                rollout.releaseId(), json.write(rollout.fromReleaseIds()), json.write(rollout.environmentIds()),
                rollout.createdBy(), rollout.createdAt());
        List<Object[]> rows = new ArrayList<>(outcomes.size());
        for (BatchOutcome outcome : outcomes) {
            rows.add(new Object[] {rollout.id(), outcome.deploymentId(), outcome.operationId(),
                    outcome.skipped() == null ? null : truncated(outcome.skipped())});
        }
        if (!rows.isEmpty()) {
            sql.batch("insert into rollout_targets (rollout_id, deployment_id, operation_id, skipped_reason) "
                    + "values (?, ?, ?, ?)", rows);
        }
    }

    Optional<Header> find(Sql sql, String id) {
        return sql.queryOne("select * from rollouts where id = ?", this::header, id);
    }

    /** The newest {@code limit} rollouts, of one tenant (its own, not the vendor's) when given. */
    List<Header> newest(Sql sql, Optional<String> tenantId, int limit) {
        Where where = new Where().equal("tenant_id", tenantId);
        List<Object> params = new ArrayList<>(List.of(where.params()));
        params.add(limit);
        return sql.query("select * from rollouts" + where.sql() + " order by created_at desc, id desc fetch first ? rows only",
                this::header, params.toArray());
    }

    /** Counts of the rollout's targets' operations by status, and of its skipped targets. */
    Rollout.Progress progress(Sql sql, String rolloutId) {
        long[] counts = new long[5];
        sql.query("select o.status, count(*) as n from rollout_targets t join operations o on o.id = t.operation_id "
                        + "where t.rollout_id = ? group by o.status", rs -> {
                    counts[switch (rs.getString("status")) {
                        case "pending" -> 0;
                        case "running" -> 1;
                        case "succeeded" -> 2;
                        default -> 3;
                    }] += rs.getLong("n");
                    return null;
                }, rolloutId);
        counts[4] = sql.queryOne("select count(*) as n from rollout_targets where rollout_id = ? and operation_id is null",
                rs -> rs.getLong("n"), rolloutId).orElse(0L);
        return new Rollout.Progress(counts[0], counts[1], counts[2], counts[3], counts[4]);
    }

    /** The first {@code limit} skipped targets, by deployment id. */
    List<Rollout.Skipped> skipped(Sql sql, String rolloutId, int limit) {
        return sql.query("select deployment_id, skipped_reason from rollout_targets where rollout_id = ? "
                        + "and operation_id is null order by deployment_id fetch first ? rows only",
                rs -> new Rollout.Skipped(rs.getString("deployment_id"), rs.getString("skipped_reason")), rolloutId,
                limit);
    }

    private Header header(ResultSet rs) throws SQLException {
        return new Header(rs.getString("id"), rs.getString("tenant_id"), rs.getString("release_id"),
                json.read(rs.getString("from_release_ids"), IDS), json.read(rs.getString("environment_ids"), IDS),
                rs.getString("created_by"), Sql.instant(rs, "created_at"));
    }

    private static String truncated(String reason) {
        return reason.length() <= 4000 ? reason : reason.substring(0, 3997) + "...";
    }
}
