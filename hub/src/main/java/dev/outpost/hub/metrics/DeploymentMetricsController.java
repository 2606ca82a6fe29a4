package dev.outpost.hub.metrics;

import dev.outpost.hub.auth.Authenticated;
import dev.outpost.hub.auth.Caller;
import dev.outpost.hub.store.Database;
import dev.outpost.protocol.GrpcLimits;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * REST: GET /api/v1/metrics/prometheus, the deployments' Kubernetes state and the series their
 * workloads forward, for the vendor's Prometheus (apart from the hub's own /metrics). Needs an API
 * token: a tenant token sees its tenant's series only.
 */
@Controller("/api/v1/metrics")
@ExecuteOn(TaskExecutors.BLOCKING)
public class DeploymentMetricsController {
    /** Most series one scrape returns; past it the scrape is cut (logged) rather than the hub's memory. */
    static final int MAX_SERIES = 100_000;
    private static final Logger LOG = LoggerFactory.getLogger(DeploymentMetricsController.class);

    private final Database db;
    private final MetricsStore store;
    private final Clock clock;

    public DeploymentMetricsController(Database db, MetricsStore store, Clock clock) {
        this.db = db;
        this.store = store;
        this.clock = clock;
    }

    /** One read of both kinds of series, so a scrape sees one moment. */
    private record Fresh(List<StoredSeries> series, List<StoredWorkloadSeries> workload) {
    }

    @Get(value = "/prometheus", produces = "text/plain")
    public HttpResponse<byte[]> prometheus(@Authenticated Caller caller, HttpRequest<?> request) {
        Optional<String> tenant = caller.tenantFilter(request.getParameters().getFirst("tenantId"));
        Instant freshSince = clock.instant().minus(GrpcLimits.METRICS_FRESH_FOR);
        Fresh fresh = db.read(sql -> {
            List<StoredSeries> series = store.fresh(sql, tenant, freshSince, MAX_SERIES + 1);
            int room = Math.max(0, MAX_SERIES - series.size());
            return new Fresh(series, room == 0 ? List.of() : store.freshWorkload(sql, tenant, freshSince, room + 1));
        });
        List<StoredSeries> series = fresh.series();
        List<StoredWorkloadSeries> workload = fresh.workload();
        if (series.size() + workload.size() > MAX_SERIES) {
            LOG.warn("Prometheus scrape by {} cut at {} series (forwarded workload series included); scrape per tenant "
                    + "(?tenantId=)", caller, MAX_SERIES);
            series = series.subList(0, Math.min(series.size(), MAX_SERIES));
            workload = workload.subList(0, MAX_SERIES - series.size());
        }
        return HttpResponse.ok(PrometheusExposition.text(series, workload)).contentType(PrometheusExposition.CONTENT_TYPE);
    }
}
