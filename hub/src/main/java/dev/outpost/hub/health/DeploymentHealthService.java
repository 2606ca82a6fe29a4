package dev.outpost.hub.health;

import dev.outpost.hub.auth.Caller;
import dev.outpost.hub.deployments.Deployment;
import dev.outpost.hub.deployments.DeploymentService;
import dev.outpost.hub.drift.DriftedObject;
import dev.outpost.hub.logs.LogService;
import dev.outpost.hub.logs.LogViews;
import dev.outpost.hub.metrics.MetricSeries;
import dev.outpost.hub.metrics.MetricsBatchRules;
import dev.outpost.hub.metrics.MetricsStore;
import dev.outpost.hub.metrics.StoredSeries;
import dev.outpost.hub.store.Database;
import dev.outpost.hub.store.Sql;
import dev.outpost.hub.store.StoreException;
import dev.outpost.hub.usage.UsageViews;
import dev.outpost.protocol.GrpcLimits;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Puts one deployment's health together from the store, scoped like a deployment read (404 for another tenant's). */
@Singleton
public class DeploymentHealthService {
    /** Most meters shown for the last usage window. */
    private static final int MAX_METERS = 50;
    /** How far back the summary looks for log lines that look like errors. */
    private static final Duration LOG_ERRORS_SINCE = Duration.ofMinutes(15);
    private static final Logger LOG = LoggerFactory.getLogger(DeploymentHealthService.class);

    private final Database db;
    private final DeploymentService deployments;
    private final MetricsStore metrics;
    private final LogService logs;
    private final Clock clock;

    public DeploymentHealthService(Database db, DeploymentService deployments, MetricsStore metrics, LogService logs,
            Clock clock) {
        this.db = db;
        this.deployments = deployments;
        this.metrics = metrics;
        this.logs = logs;
        this.clock = clock;
    }

    /** The health of deployment {@code id}. */
    public DeploymentHealth of(Caller caller, String id) {
        Deployment deployment = deployments.get(caller, id);
        List<StoredSeries> series = db.read(sql -> metrics.ofDeployment(sql, id));
        DeploymentHealth.UsageWindow usage = db.read(sql -> lastUsageWindow(sql, id).orElse(null));
        Instant freshSince = clock.instant().minus(GrpcLimits.METRICS_FRESH_FOR);
        DeploymentHealth.Kubernetes kubernetes = kubernetes(series, freshSince);
        List<DriftedObject> drifted = deployment.drift().stream().filter(o -> !o.healed()).toList();
        DeploymentHealth.Drift drift = new DeploymentHealth.Drift(drifted.size(), deployment.driftedSince());

        List<String> problems = new ArrayList<>();
        if (deployment.status() == Deployment.Status.FAILED) {
            problems.add("the latest operation failed" + (deployment.failedStep() == null ? "" : " at step "
                    + deployment.failedStep()) + (deployment.statusReason() == null ? "" : ": " + deployment.statusReason()));
        }
        if (!drifted.isEmpty()) {
            problems.add(drifted.size() + " object(s) drifted from what the agent applied");
        }
        boolean knownBad = !problems.isEmpty();
        DeploymentHealth.Verdict verdict;
        if (kubernetes == null || !kubernetes.fresh()) {
            if (deployment.status() != Deployment.Status.DELETED) {
                problems.add(kubernetes == null ? "no Kubernetes sample from the agent yet"
                        : "the latest Kubernetes sample is older than " + GrpcLimits.METRICS_FRESH_FOR.toMinutes()
                        + " minutes (agent disconnected?)");
            }
            // without a fresh sample the cluster's side is not known; what the hub knows may still be bad
            verdict = knownBad ? DeploymentHealth.Verdict.UNHEALTHY : DeploymentHealth.Verdict.UNKNOWN;
        } else {
            kubernetes.workloads().stream().filter(w -> w.readyReplicas() < w.desiredReplicas())
                    .forEach(w -> problems.add(w.kind() + " " + w.namespace() + "/" + w.name() + ": " + w.readyReplicas()
                            + " of " + w.desiredReplicas() + " replicas ready"));
            long failedPods = kubernetes.pods().getOrDefault("Failed", 0L);
            if (failedPods > 0) {
                problems.add(failedPods + " pod(s) failed");
            }
            verdict = problems.isEmpty() ? DeploymentHealth.Verdict.HEALTHY : DeploymentHealth.Verdict.UNHEALTHY;
        }
        return new DeploymentHealth(deployment.id(), deployment.tenantId(), deployment.environmentId(), verdict,
                List.copyOf(problems), deployment.status(), deployment.statusReason(), deployment.failedStep(),
                deployment.activeOperationId(), deployment.generation(), deployment.appliedGeneration(), drift,
                kubernetes, usage, recentLogErrors(deployment));
    }

    /** Null when the lines could not be read in time: the rest of the summary still answers. */
    private LogViews.RecentErrors recentLogErrors(Deployment deployment) {
        try {
            return logs.recentErrors(deployment.id(), clock.instant().minus(LOG_ERRORS_SINCE));
        } catch (StoreException e) {
            LOG.warn("Health of deployment {} (tenant {}): recent log errors not read: {}", deployment.id(),
                    deployment.tenantId(), e.getMessage());
            return null;
        }
    }

    private static DeploymentHealth.Kubernetes kubernetes(List<StoredSeries> series, Instant freshSince) {
        if (series.isEmpty()) {
            return null;
        }
        Map<String, long[]> replicas = new LinkedHashMap<>();
        Map<String, Long> pods = new LinkedHashMap<>();
        MetricsBatchRules.PHASES.forEach(phase -> pods.put(phase, 0L));
        long restarts = 0;
        long omitted = 0;
        for (StoredSeries stored : series) {
            MetricSeries s = stored.series();
            String workload = s.kind() + "\u0000" + s.namespace() + "\u0000" + s.workload();
            switch (s.metric()) {
                case MetricSeries.READY_REPLICAS -> replicas.computeIfAbsent(workload, k -> new long[2])[0] = s.value();
                case MetricSeries.DESIRED_REPLICAS -> replicas.computeIfAbsent(workload, k -> new long[2])[1] = s.value();
                case MetricSeries.PODS -> pods.put(s.phase(), s.value());
                case MetricSeries.CONTAINER_RESTARTS -> restarts = s.value();
                case MetricSeries.WORKLOADS_OMITTED -> omitted = s.value();
                default -> {
                    // a metric of a newer hub sharing the database: not shown
                }
            }
        }
        List<DeploymentHealth.Workload> workloads = new ArrayList<>();
        replicas.forEach((key, values) -> {
            String[] parts = key.split("\u0000", -1);
            workloads.add(new DeploymentHealth.Workload(parts[0], parts[1], parts[2], values[0], values[1]));
        });
        StoredSeries first = series.getFirst();
        return new DeploymentHealth.Kubernetes(first.sampledAt(), first.receivedAt(),
                !first.receivedAt().isBefore(freshSince), workloads, omitted, pods, restarts);
    }

    /**
     * The latest window of each meter of the deployment, where they share the latest end. Meters come
     * from the hourly aggregates (a primary-key prefix), each latest record from the deployment index.
     */
    private static Optional<DeploymentHealth.UsageWindow> lastUsageWindow(Sql sql, String deploymentId) {
        List<String> meters = sql.query("select distinct meter from usage_hourly where deployment_id = ? order by meter"
                + " fetch first " + MAX_METERS + " rows only", rs -> rs.getString(1), deploymentId);
        record Latest(Instant start, Instant end, DeploymentHealth.Meter meter) {
        }
        List<Latest> latest = new ArrayList<>();
        for (String meter : meters) {
            sql.queryOne("select window_start, window_end, unit, quantity from usage_records where deployment_id = ?"
                    + " and meter = ? order by window_start desc fetch first 1 rows only",
                    rs -> new Latest(Sql.instant(rs, "window_start"), Sql.instant(rs, "window_end"),
                            new DeploymentHealth.Meter(meter, rs.getString("unit"),
                                    UsageViews.plain(rs.getBigDecimal("quantity")))), deploymentId, meter)
                    .ifPresent(latest::add);
        }
        Optional<Instant> end = latest.stream().map(Latest::end).max(Instant::compareTo);
        return end.map(e -> {
            List<Latest> window = latest.stream().filter(l -> l.end().equals(e)).toList();
            return new DeploymentHealth.UsageWindow(window.getFirst().start(), e,
                    window.stream().map(Latest::meter).toList());
        });
    }
}
