package dev.outpost.hub.metrics;

/**
 * One series of a deployment's sample: the metric, its labels (empty when the metric has none of
 * them) and its latest value.
 */
public record MetricSeries(String metric, String kind, String namespace, String workload, String phase, long value) {
    public static final String READY_REPLICAS = "ready_replicas";
    public static final String DESIRED_REPLICAS = "desired_replicas";
    public static final String PODS = "pods";
    public static final String CONTAINER_RESTARTS = "container_restarts";
    public static final String WORKLOADS_OMITTED = "workloads_omitted";
    public static final String SCRAPED_OMITTED = "scraped_omitted";

    /** A series of the whole deployment (no workload, no phase). */
    static MetricSeries ofDeployment(String metric, long value) {
        return new MetricSeries(metric, "", "", "", "", value);
    }
}
