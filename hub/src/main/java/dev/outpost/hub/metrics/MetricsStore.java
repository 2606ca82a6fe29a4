package dev.outpost.hub.metrics;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.outpost.hub.store.JsonColumns;
import dev.outpost.hub.store.Sql;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/** SQL of deployment_metrics and workload_metrics: replace a deployment's series, read the fresh ones. */
@Singleton
public class MetricsStore {
    private static final String COLUMNS = "deployment_id, metric, kind, namespace, workload, phase, tenant_id, "
            + "environment_id, agent_id, sample_value, sampled_at, received_at";
    private static final String WORKLOAD_COLUMNS = "deployment_id, series_key, metric, pod, labels_json, tenant_id, "
            + "environment_id, agent_id, sample_value, sampled_at, received_at";
    private static final TypeReference<TreeMap<String, String>> LABELS = new TypeReference<>() { };

    private final JsonColumns json;

    public MetricsStore(JsonColumns json) {
        this.json = json;
    }

    /** The deployment's tenant and environment. */
    public record Owner(String tenantId, String environmentId) {
    }

    /** The agent's tenant and environment when it is enrolled and not revoked. */
    public Optional<Owner> activeAgent(Sql sql, String agentId) {
        return sql.queryOne("select tenant_id, environment_id from agents where id = ? and status <> 'revoked'",
                rs -> new Owner(rs.getString("tenant_id"), rs.getString("environment_id")), agentId);
    }

    /** The deployment's tenant and environment, whatever its status. */
    public Optional<Owner> deployment(Sql sql, String deploymentId) {
        return sql.queryOne("select tenant_id, environment_id from deployments where id = ?",
                rs -> new Owner(rs.getString("tenant_id"), rs.getString("environment_id")), deploymentId);
    }

    /** Replaces every series of the deployment with {@code series} and its forwarded ones with {@code workload}. */
    public void replace(Sql sql, String deploymentId, Owner owner, String agentId, List<MetricSeries> series,
            List<WorkloadSeries> workload, Instant sampledAt, Instant receivedAt) {
        sql.update("delete from workload_metrics where deployment_id = ?", deploymentId);
        List<Object[]> workloadRows = new ArrayList<>(workload.size());
        for (WorkloadSeries w : workload) {
            workloadRows.add(new Object[] {deploymentId, w.key(), w.metric(), w.pod(), json.write(w.labels()),
                owner.tenantId(), owner.environmentId(), agentId, w.value(), sampledAt, receivedAt});
        }
        if (!workloadRows.isEmpty()) {
            sql.batch("insert into workload_metrics (" + WORKLOAD_COLUMNS + ") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    workloadRows);
        }
        sql.update("delete from deployment_metrics where deployment_id = ?", deploymentId);
        List<Object[]> rows = new ArrayList<>(series.size());
        for (MetricSeries s : series) {
            rows.add(new Object[] {deploymentId, s.metric(), s.kind(), s.namespace(), s.workload(), s.phase(),
                owner.tenantId(), owner.environmentId(), agentId, s.value(), sampledAt,
                receivedAt});
        }
        sql.batch("insert into deployment_metrics (" + COLUMNS + ") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows);
    }

    /**
     * Series received at or after {@code freshSince}, of {@code tenantId} (all tenants when empty),
     * in (tenant, environment, deployment, metric, labels) order, at most {@code limit}.
     */
    public List<StoredSeries> fresh(Sql sql, Optional<String> tenantId, Instant freshSince, int limit) {
        return sql.query("select " + COLUMNS + " from deployment_metrics where " + freshWhere(tenantId)
                + " order by tenant_id, environment_id, deployment_id, metric, kind, namespace, workload, phase"
                + " fetch first " + limit + " rows only", MetricsStore::row, freshParams(tenantId, freshSince));
    }

    /**
     * Forwarded workload series received at or after {@code freshSince}, of {@code tenantId} (all when
     * empty), in (metric, tenant, environment, deployment, pod, key) order, so each metric's series are
     * together; at most {@code limit}.
     */
    public List<StoredWorkloadSeries> freshWorkload(Sql sql, Optional<String> tenantId, Instant freshSince, int limit) {
        return sql.query("select " + WORKLOAD_COLUMNS + " from workload_metrics where " + freshWhere(tenantId)
                + " order by metric, tenant_id, environment_id, deployment_id, pod, series_key"
                + " fetch first " + limit + " rows only", rs -> new StoredWorkloadSeries(rs.getString("tenant_id"),
                        rs.getString("environment_id"), rs.getString("deployment_id"),
                        new WorkloadSeries(rs.getString("metric"), rs.getString("pod"),
                                json.read(rs.getString("labels_json"), LABELS), rs.getDouble("sample_value")),
                        Sql.instant(rs, "sampled_at"), Sql.instant(rs, "received_at")), freshParams(tenantId, freshSince));
    }

    /** The deployment's series, fresh or not (the health summary says how old they are). */
    public List<StoredSeries> ofDeployment(Sql sql, String deploymentId) {
        return sql.query("select " + COLUMNS + " from deployment_metrics where deployment_id = ?"
                + " order by metric, kind, namespace, workload, phase", MetricsStore::row, deploymentId);
    }

    private static String freshWhere(Optional<String> tenantId) {
        return "received_at >= ?" + (tenantId.isPresent() ? " and tenant_id = ?" : "");
    }

    private static Object[] freshParams(Optional<String> tenantId, Instant freshSince) {
        return tenantId.isPresent() ? new Object[] {freshSince, tenantId.get()} : new Object[] {freshSince};
    }

    private static StoredSeries row(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new StoredSeries(rs.getString("tenant_id"), rs.getString("environment_id"), rs.getString("deployment_id"),
                new MetricSeries(rs.getString("metric"), rs.getString("kind"), rs.getString("namespace"),
                        rs.getString("workload"), rs.getString("phase"), rs.getLong("sample_value")),
                Sql.instant(rs, "sampled_at"), Sql.instant(rs, "received_at"));
    }
}
