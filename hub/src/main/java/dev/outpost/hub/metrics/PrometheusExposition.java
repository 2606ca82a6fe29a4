package dev.outpost.hub.metrics;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Deployment series in the Prometheus text format, one gauge family per metric, every series labelled
 * tenant, environment and deployment (ids), workload series also kind, namespace and workload, pod
 * series phase. The writer escapes label values, so ids and names never break the format.
 */
public final class PrometheusExposition {
    /** The content type of the text format, version 0.0.4. */
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.create().getContentType();

    /** Metric family name and help, per stored metric. */
    private static final Map<String, String[]> FAMILIES = new LinkedHashMap<>();

    static {
        FAMILIES.put(MetricSeries.READY_REPLICAS, new String[] {"outpost_deployment_ready_replicas",
            "Ready replicas of a workload of the deployment (status.readyReplicas; DaemonSet: numberReady)"});
        FAMILIES.put(MetricSeries.DESIRED_REPLICAS, new String[] {"outpost_deployment_desired_replicas",
            "Desired replicas of a workload of the deployment (spec.replicas; DaemonSet: desiredNumberScheduled)"});
        FAMILIES.put(MetricSeries.PODS, new String[] {"outpost_deployment_pods",
            "Pods of the deployment by phase"});
        FAMILIES.put(MetricSeries.CONTAINER_RESTARTS, new String[] {"outpost_deployment_container_restarts",
            "Container restarts summed over the deployment's current pods (falls when pods are replaced)"});
        FAMILIES.put(MetricSeries.WORKLOADS_OMITTED, new String[] {"outpost_deployment_workloads_omitted",
            "Workloads of the deployment beyond the per-deployment limit, not reported one by one"});
        FAMILIES.put(MetricSeries.SCRAPED_OMITTED, new String[] {"outpost_deployment_scraped_omitted",
            "Series the deployment's workloads forward that the agent left out (past the per-deployment limit, or too many or too long labels)"});
    }

    /** Labels the hub sets on forwarded series; a workload's own label of that name is served as exported_<name>. */
    private static final List<String> OWN_LABELS = List.of("tenant", "environment", "deployment", "pod");

    private PrometheusExposition() {
    }

    /** The text of {@code series} (fresh ones, in store order). */
    public static byte[] text(List<StoredSeries> series) {
        return text(series, List.of());
    }

    /**
     * The text of {@code series} and then of the forwarded {@code workload} series (in store order:
     * grouped by metric), each forwarded metric as one untyped family under the workload's own name.
     */
    public static byte[] text(List<StoredSeries> series, List<StoredWorkloadSeries> workload) {
        Map<String, GaugeSnapshot.Builder> families = new LinkedHashMap<>();
        FAMILIES.forEach((metric, family) -> families.put(metric, GaugeSnapshot.builder().name(family[0]).help(family[1])));
        for (StoredSeries stored : series) {
            GaugeSnapshot.Builder family = families.get(stored.series().metric());
            if (family == null) {
                continue; // a metric of a newer hub in a shared database: not this hub's to explain
            }
            family.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels(stored))
                    .value(stored.series().value()).build());
        }
        MetricSnapshots.Builder snapshots = MetricSnapshots.builder();
        families.values().forEach(family -> snapshots.metricSnapshot(family.build()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, snapshots.build());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        out.writeBytes(workloadText(workload).getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /**
     * Written by hand: the client library refuses family names ending in _total for anything but its
     * own counters, and a forwarded metric keeps the name the workload gave it. A name of the hub's own
     * families (outpost_deployment_*) is not served: it would make two families of one name.
     */
    private static String workloadText(List<StoredWorkloadSeries> workload) {
        StringBuilder text = new StringBuilder();
        String family = null;
        for (StoredWorkloadSeries stored : workload) {
            WorkloadSeries s = stored.series();
            if (s.metric().startsWith("outpost_deployment_")) {
                continue;
            }
            if (!s.metric().equals(family)) {
                family = s.metric();
                text.append("# HELP ").append(family).append(" Forwarded by the deployment's workload (outpost.dev/metrics-forward)\n");
                text.append("# TYPE ").append(family).append(" untyped\n");
            }
            Map<String, String> labels = new LinkedHashMap<>();
            labels.put("tenant", stored.tenantId());
            labels.put("environment", stored.environmentId());
            labels.put("deployment", stored.deploymentId());
            labels.put("pod", s.pod());
            s.labels().forEach((name, value) -> labels.put(OWN_LABELS.contains(name) ? "exported_" + name : name, value));
            text.append(family).append('{');
            boolean first = true;
            for (Map.Entry<String, String> label : labels.entrySet()) {
                text.append(first ? "" : ",").append(label.getKey()).append("=\"").append(escape(label.getValue())).append('"');
                first = false;
            }
            text.append("} ").append(number(s.value())).append('\n');
        }
        return text.toString();
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }

    private static Labels labels(StoredSeries stored) {
        MetricSeries s = stored.series();
        Labels.Builder labels = Labels.builder().label("tenant", stored.tenantId())
                .label("environment", stored.environmentId()).label("deployment", stored.deploymentId());
        if (!s.workload().isEmpty()) {
            labels.label("kind", s.kind()).label("namespace", s.namespace()).label("workload", s.workload());
        }
        if (!s.phase().isEmpty()) {
            labels.label("phase", s.phase());
        }
        return labels.build();
    }
}
