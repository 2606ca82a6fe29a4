package dev.outpost.hub.deployments;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.outpost.hub.deployments.lifecycle.OperationLifecycle;
import dev.outpost.hub.deployments.packaged.NamespaceMode;
import dev.outpost.hub.drift.DriftPolicy;
import dev.outpost.hub.drift.DriftStore;
import dev.outpost.hub.store.JsonColumns;
import dev.outpost.hub.store.Sql;
import dev.outpost.hub.store.Where;
import jakarta.inject.Singleton;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** SQL for deployments. */
@Singleton
public class DeploymentStore {
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };
    private final JsonColumns json;

    public DeploymentStore(JsonColumns json) {
        this.json = json;
    }

    /**
     * Inserts a deployment; its name becomes the live name, so a live deployment of the same name in the
     * environment's namespace raises DuplicateKeyException.
     */
    public void insert(Sql sql, Deployment d) {
        sql.update("insert into deployments (id, tenant_id, environment_id, release_id, name, namespace, parameters_json, "
                        + "generation, applied_generation, content_hash, status, status_reason, active_operation_id, "
                        + "live_name, failed_step, revision, created_at, updated_at, drift_policy, plan_name, namespace_mode) "
                        + "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                d.id(), d.tenantId(), d.environmentId(), d.releaseId(), d.name(), d.namespace(), json.write(d.parameters()),
                d.generation(), d.appliedGeneration(), d.contentHash(), d.status(), d.statusReason(),
                d.activeOperationId(), d.name(), d.failedStep(), d.revision(), d.createdAt(), d.updatedAt(),
                d.driftPolicy().json(), d.plan(), d.namespaceMode().json());
    }

    /** What the hub issued for one deployment: what an agent may claim to have applied. */
    public record Issued(String id, long generation, long appliedGeneration, String contentHash, boolean deleted) {
    }

    /** Every deployment of the environment, by id, as issued so far. */
    public Map<String, Issued> issuedIn(Sql sql, String environmentId) {
        Map<String, Issued> issued = new HashMap<>();
        sql.query("select id, generation, applied_generation, content_hash, status from deployments where environment_id = ?",
                rs -> new Issued(rs.getString("id"), rs.getLong("generation"), rs.getLong("applied_generation"),
                        rs.getString("content_hash"), "deleted".equals(rs.getString("status"))),
                environmentId).forEach(d -> issued.put(d.id(), d));
        return issued;
    }

    public Optional<Deployment> find(Sql sql, String id) {
        return sql.queryOne("select * from deployments where id = ?", this::map, id);
    }

    /** The environment of each of the deployments that exists, by deployment id. */
    public java.util.Map<String, String> environmentIdsOf(Sql sql, java.util.Collection<String> deploymentIds) {
        java.util.Map<String, String> byDeployment = new java.util.HashMap<>();
        for (List<String> ids : Sql.inLists(deploymentIds)) {
            sql.query("select id, environment_id from deployments where id in (" + Sql.placeholders(ids.size()) + ")",
                    rs -> byDeployment.put(rs.getString("id"), rs.getString("environment_id")), ids.toArray());
        }
        return byDeployment;
    }

    /** The deployment, row-locked until the transaction ends: for checks that must hold until it commits. */
    public Optional<Deployment> findForUpdate(Sql sql, String id) {
        return sql.queryOne("select * from deployments where id = ? for update", this::map, id);
    }

    /** Deployments, oldest first, optionally of one tenant and/or environment. */
    public List<Deployment> list(Sql sql, Optional<String> tenantId, Optional<String> environmentId) {
        Where where = new Where().equal("tenant_id", tenantId).equal("environment_id", environmentId);
        return sql.query("select * from deployments" + where.sql() + " order by created_at, id", this::map, where.params());
    }

    /**
     * Live deployments of {@code serviceName}'s releases other than {@code releaseId}, oldest first, at
     * most {@code limit}: of the given releases only, when any, of the given environments only, when
     * any, and of one tenant when {@code tenantId} is given.
     */
    public List<Deployment> onOtherReleases(Sql sql, Optional<String> tenantId, String serviceName, String releaseId,
                                            List<String> fromReleaseIds, List<String> environmentIds, int limit) {
        Where where = new Where().equal("d.tenant_id", tenantId);
        List<Object> params = new java.util.ArrayList<>(List.of(where.params()));
        StringBuilder query = new StringBuilder("select d.* from deployments d join releases r on r.id = d.release_id")
                .append(where.sql()).append(" and d.status <> 'deleted' and r.service_name = ? and d.release_id <> ?");
        params.add(serviceName);
        params.add(releaseId);
        if (!fromReleaseIds.isEmpty()) {
            query.append(" and d.release_id in (").append(Sql.placeholders(fromReleaseIds.size())).append(')');
            params.addAll(fromReleaseIds);
        }
        if (!environmentIds.isEmpty()) {
            query.append(" and d.environment_id in (").append(Sql.placeholders(environmentIds.size())).append(')');
            params.addAll(environmentIds);
        }
        query.append(" order by d.created_at, d.id fetch first ? rows only");
        params.add(limit);
        return sql.query(query.toString(), this::map, params.toArray());
    }

    /**
     * Starts the next generation with {@code operationId} as the deployment's one active operation.
     * The update only matches while no other operation is active and the generation is still
     * {@code expectedGeneration}, so two concurrent requests cannot both start one; false if it lost.
     */
    public boolean startOperation(Sql sql, String id, long expectedGeneration, String operationId, String releaseId,
                                  Map<String, ?> parameters, String plan, Deployment.Status status, Instant now) {
        return startOperations(sql, List.of(new Start(id, expectedGeneration, operationId, releaseId, parameters, plan,
                status)), now)[0];
    }

    /** The next generation of one deployment, for {@link #startOperations}. */
    public record Start(String id, long expectedGeneration, String operationId, String releaseId,
                        Map<String, ?> parameters, String plan, Deployment.Status status) {
    }

    /** {@link #startOperation} for many deployments as one JDBC batch; which of them it started, in order. */
    public boolean[] startOperations(Sql sql, List<Start> starts, Instant now) {
        List<Object[]> rows = new java.util.ArrayList<>(starts.size());
        for (Start s : starts) {
            rows.add(new Object[] {s.operationId(), s.releaseId(), json.write(s.parameters()), s.plan(), s.status(), now,
                    s.id(), s.expectedGeneration()});
        }
        boolean[] started = new boolean[starts.size()];
        if (rows.isEmpty()) {
            return started;
        }
        int[] counts = sql.batch("update deployments set generation = generation + 1, active_operation_id = ?, "
                + "release_id = ?, parameters_json = ?, plan_name = ?, status = ?, status_reason = null, "
                + "failed_step = null, updated_at = ? "
                + "where id = ? and generation = ? and active_operation_id is null and status <> 'deleted'", rows);
        for (int i = 0; i < counts.length; i++) {
            started[i] = counts[i] == 1;
        }
        return started;
    }

    /** Sets what the deployment's agent does about drift; the next apply command carries it. */
    public void setDriftPolicy(Sql sql, String id, DriftPolicy policy) {
        sql.update("update deployments set drift_policy = ? where id = ?", policy.json(), id);
    }

    /** Sets the status while {@code operationId} is the active operation (a late report cannot undo a newer one). */
    public void setStatus(Sql sql, String id, String operationId, Deployment.Status status, Instant now) {
        sql.update("update deployments set status = ?, updated_at = ? where id = ? and active_operation_id = ?",
                status, now, id, operationId);
    }

    /**
     * Records an operation's end: new status and reason, and, after an apply, what is now applied. Once
     * deleted, the deployment gives up its live name, which a new deployment may then take.
     */
    public void finishOperation(Sql sql, String id, String operationId, OperationLifecycle.Ending ending,
                                Long appliedGeneration, String contentHash, Long revision, Instant now) {
        String freeName = ending.deploymentStatus() == Deployment.Status.DELETED ? "live_name = null, " : "";
        sql.update("update deployments set " + freeName + "status = ?, status_reason = ?, failed_step = ?, "
                        + "active_operation_id = null, updated_at = ?, "
                        + "applied_generation = coalesce(?, applied_generation), content_hash = coalesce(?, content_hash), "
                        + "revision = coalesce(?, revision) where id = ? and active_operation_id = ?",
                ending.deploymentStatus(), ending.statusReason(), ending.failedStep(), now, appliedGeneration,
                contentHash, revision, id, operationId);
        if (ending.deploymentStatus() == Deployment.Status.READY
                || ending.deploymentStatus() == Deployment.Status.DELETED) {
            DriftStore.clear(sql, id); // what was applied is the reference now (or nothing is)
        }
    }

    private Deployment map(ResultSet rs) throws SQLException {
        return new Deployment(rs.getString("id"), rs.getString("tenant_id"), rs.getString("environment_id"),
                rs.getString("release_id"), rs.getString("name"), rs.getString("namespace"),
                json.read(rs.getString("parameters_json"), MAP), rs.getLong("generation"),
                rs.getLong("applied_generation"), rs.getString("content_hash"),
                Deployment.Status.valueOf(rs.getString("status").toUpperCase(Locale.ROOT)),
                rs.getString("status_reason"), rs.getString("active_operation_id"), rs.getString("failed_step"),
                rs.getObject("revision", Long.class), Sql.instant(rs, "created_at"),
                Sql.instant(rs, "updated_at"), rs.getString("plan_name"),
                NamespaceMode.stored(rs.getString("namespace_mode")),
                DriftPolicy.parse(rs.getString("drift_policy")).orElse(DriftPolicy.REPORT), List.of(), null);
    }
}
