package dev.outpost.protocol;

import java.time.Duration;

/** Transport limits both ends of outpost.v1 apply, kept in one place so they match. */
public final class GrpcLimits {
    /** Largest message either side accepts; a release's manifests must fit well inside it. */
    public static final int MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
    /** The agent pings an idle connection this often, so NATs and proxies keep it open. */
    public static final Duration CLIENT_KEEPALIVE_TIME = Duration.ofSeconds(30);
    /** How long the agent waits for a ping's answer before it treats the connection as dead. */
    public static final Duration CLIENT_KEEPALIVE_TIMEOUT = Duration.ofSeconds(10);
    /** The hub tolerates pings this often and no more (must be below CLIENT_KEEPALIVE_TIME). */
    public static final Duration SERVER_PERMIT_KEEPALIVE_TIME = Duration.ofSeconds(15);
    /** Largest gzip-compressed YAML of one plan step (RenderedObjects.yaml_gzip). */
    public static final int MAX_RENDERED_GZIP_BYTES = 1024 * 1024;
    /** Largest YAML of one plan step once decompressed; the agent stops inflating past it. */
    public static final int MAX_RENDERED_YAML_BYTES = 8 * 1024 * 1024;
    /** Largest number of steps in one plan. */
    /** Most CA certificates in a TrustBundle (a rollover has two; room for more without a protocol change). */
    public static final int MAX_TRUSTED_CAS = 10;
    public static final int MAX_PLAN_STEPS = 50;
    /** Largest number of drifted objects in one DriftReport; more are counted, not listed. */
    public static final int MAX_DRIFTED_OBJECTS = 200;
    /** Most API group/versions an agent reports in ClusterFacts.api_versions. */
    public static final int MAX_API_VERSIONS = 500;
    /** Longest entry of ClusterFacts.api_versions (a DNS subdomain group plus a version). */
    public static final int MAX_API_VERSION_CHARS = 253;
    /** Largest manifests text of a release, in characters. */
    public static final int MAX_MANIFESTS_CHARS = 1024 * 1024;
    /**
     * A unary call (Enroll) whose request has not fully arrived this long after the call opened is
     * closed with DEADLINE_EXCEEDED; the agent uses the same bound as its own deadline.
     */
    public static final Duration REQUEST_DEADLINE = Duration.ofSeconds(30);
    /** Messages an agent may send on one control stream in a burst (token bucket size). */
    public static final int STREAM_MESSAGE_BURST = 200;
    /** Messages per second the bucket refills; beyond burst and rate the hub closes the stream. */
    public static final int STREAM_MESSAGES_PER_SECOND = 20;

    /** Most records in one UsageBatch. */
    public static final int MAX_USAGE_RECORDS_PER_BATCH = 1000;
    /** Most UsageBatches an agent sends before it waits for their acks. */
    public static final int MAX_USAGE_BATCHES_IN_FLIGHT = 8;
    /** Most log lines in one LogBatch. */
    public static final int MAX_LOG_LINES_PER_BATCH = 1000;
    /** Most bytes of line text (UTF-8) in one LogBatch. */
    public static final int MAX_LOG_BATCH_TEXT_BYTES = 1024 * 1024;
    /** Longest log line text (UTF-8 bytes); longer lines are cut and marked truncated. */
    public static final int MAX_LOG_LINE_BYTES = 16 * 1024;
    /** Most LogBatches an agent sends before it waits for their acks. */
    public static final int MAX_LOG_BATCHES_IN_FLIGHT = 4;

    /** Most deployments in one MetricsBatch; an agent with more sends one round as several batches. */
    public static final int MAX_METRICS_DEPLOYMENTS_PER_BATCH = 100;
    /** Most workloads listed per deployment in a MetricsBatch; more are counted as omitted. */
    public static final int MAX_METRICS_WORKLOADS_PER_DEPLOYMENT = 50;
    /** Most MetricsBatches an agent sends before it waits for the ack: samples are latest-value, never queued. */
    public static final int MAX_METRICS_BATCHES_IN_FLIGHT = 1;
    /** Most scraped series per deployment in a MetricsBatch; more are counted as omitted. */
    public static final int MAX_METRICS_SCRAPED_SERIES_PER_DEPLOYMENT = 200;
    /** Most labels of one ScrapedSample. */
    public static final int MAX_SCRAPED_LABELS = 8;
    /** Longest label value of a ScrapedSample. */
    public static final int MAX_SCRAPED_LABEL_VALUE_CHARS = 128;
    /** Largest MetricsBatch an agent builds (deployments with many scraped series make fewer per batch). */
    public static final int MAX_METRICS_BATCH_BYTES = 1024 * 1024;
    /** Most replicas a WorkloadMetrics may state. */
    public static final int MAX_METRICS_REPLICAS = 1_000_000;
    /** A deployment's series are served only this long after the hub last received a sample of it. */
    public static final Duration METRICS_FRESH_FOR = Duration.ofMinutes(5);

    private GrpcLimits() {
    }
}
