package dev.outpost.hub.metrics;

import dev.outpost.protocol.GrpcLimits;
import dev.outpost.protocol.v1.DeploymentMetrics;
import dev.outpost.protocol.v1.MetricsBatch;
import dev.outpost.protocol.v1.PodPhaseCount;
import dev.outpost.protocol.v1.ScrapedSample;
import dev.outpost.protocol.v1.WorkloadMetrics;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The rules of telemetry.proto for a MetricsBatch; a batch breaking one is refused whole, with the
 * rule and where it was broken ("deployments[2].workloads[0]: ..."), and the series it would store.
 */
public final class MetricsBatchRules {
    /** The pod phases Kubernetes knows. */
    public static final List<String> PHASES = List.of("Pending", "Running", "Succeeded", "Failed", "Unknown");
    private static final Set<String> KINDS = Set.of("Deployment", "StatefulSet", "DaemonSet");
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");
    private static final int MAX_ID_CHARS = 64;
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]{0,199}");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]{0,99}");

    private MetricsBatchRules() {
    }

    /** What is wrong with the batch as a whole, or empty when it may be stored. */
    public static Optional<String> batchProblem(MetricsBatch batch) {
        if (batch.getSequence() <= 0) {
            return Optional.of("sequence must be positive, got " + batch.getSequence());
        }
        if (batch.getDeploymentsCount() == 0) {
            return Optional.of("has no deployments");
        }
        if (batch.getDeploymentsCount() > GrpcLimits.MAX_METRICS_DEPLOYMENTS_PER_BATCH) {
            return Optional.of("has " + batch.getDeploymentsCount() + " deployments, more than "
                    + GrpcLimits.MAX_METRICS_DEPLOYMENTS_PER_BATCH);
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < batch.getDeploymentsCount(); i++) {
            DeploymentMetrics deployment = batch.getDeployments(i);
            String at = "deployments[" + i + "]";
            String id = deployment.getDeploymentId();
            if (id.isEmpty() || id.length() > MAX_ID_CHARS) {
                return Optional.of(at + ": deployment_id must have 1 to " + MAX_ID_CHARS + " characters");
            }
            if (!seen.add(id)) {
                return Optional.of(at + ": deployment " + id + " appears twice");
            }
            Optional<String> problem = deploymentProblem(deployment, at);
            if (problem.isPresent()) {
                return problem;
            }
        }
        return Optional.empty();
    }

    private static Optional<String> deploymentProblem(DeploymentMetrics deployment, String at) {
        if (deployment.getWorkloadsCount() > GrpcLimits.MAX_METRICS_WORKLOADS_PER_DEPLOYMENT) {
            return Optional.of(at + ": has " + deployment.getWorkloadsCount() + " workloads, more than "
                    + GrpcLimits.MAX_METRICS_WORKLOADS_PER_DEPLOYMENT + " (count the rest in workloads_omitted)");
        }
        if (deployment.getWorkloadsOmitted() < 0 || deployment.getContainerRestarts() < 0) {
            return Optional.of(at + ": workloads_omitted and container_restarts must not be negative");
        }
        Set<String> workloads = new HashSet<>();
        for (int w = 0; w < deployment.getWorkloadsCount(); w++) {
            WorkloadMetrics workload = deployment.getWorkloads(w);
            String where = at + ".workloads[" + w + "]";
            if (!KINDS.contains(workload.getKind())) {
                return Optional.of(where + ": kind must be Deployment, StatefulSet or DaemonSet");
            }
            if (!DNS_LABEL.matcher(workload.getNamespace()).matches()) {
                return Optional.of(where + ": namespace is not a Kubernetes namespace name");
            }
            if (!DNS_SUBDOMAIN.matcher(workload.getName()).matches()) {
                return Optional.of(where + ": name is not a Kubernetes object name");
            }
            if (!workloads.add(workload.getKind() + "/" + workload.getNamespace() + "/" + workload.getName())) {
                return Optional.of(where + ": appears twice");
            }
            if (outOfRange(workload.getDesiredReplicas()) || outOfRange(workload.getReadyReplicas())) {
                return Optional.of(where + ": replicas must be from 0 to " + GrpcLimits.MAX_METRICS_REPLICAS);
            }
        }
        Optional<String> scraped = scrapedProblem(deployment, at);
        if (scraped.isPresent()) {
            return scraped;
        }
        Set<String> phases = new HashSet<>();
        for (int p = 0; p < deployment.getPodPhasesCount(); p++) {
            PodPhaseCount phase = deployment.getPodPhases(p);
            String where = at + ".pod_phases[" + p + "]";
            if (!PHASES.contains(phase.getPhase())) {
                return Optional.of(where + ": phase must be one of " + String.join(", ", PHASES));
            }
            if (!phases.add(phase.getPhase())) {
                return Optional.of(where + ": phase " + phase.getPhase() + " appears twice");
            }
            if (phase.getPods() < 0) {
                return Optional.of(where + ": pods must not be negative");
            }
        }
        return Optional.empty();
    }

    private static Optional<String> scrapedProblem(DeploymentMetrics deployment, String at) {
        if (deployment.getScrapedCount() > GrpcLimits.MAX_METRICS_SCRAPED_SERIES_PER_DEPLOYMENT) {
            return Optional.of(at + ": has " + deployment.getScrapedCount() + " scraped series, more than "
                    + GrpcLimits.MAX_METRICS_SCRAPED_SERIES_PER_DEPLOYMENT + " (count the rest in scraped_omitted)");
        }
        if (deployment.getScrapedOmitted() < 0) {
            return Optional.of(at + ": scraped_omitted must not be negative");
        }
        Set<String> series = new HashSet<>();
        for (int i = 0; i < deployment.getScrapedCount(); i++) {
            ScrapedSample sample = deployment.getScraped(i);
            String where = at + ".scraped[" + i + "]";
            if (!METRIC_NAME.matcher(sample.getMetric()).matches()) {
                return Optional.of(where + ": metric is not a Prometheus metric name of at most 200 characters");
            }
            if (!DNS_SUBDOMAIN.matcher(sample.getPod()).matches()) {
                return Optional.of(where + ": pod is not a Kubernetes object name");
            }
            if (sample.getLabelsCount() > GrpcLimits.MAX_SCRAPED_LABELS) {
                return Optional.of(where + ": has " + sample.getLabelsCount() + " labels, more than " + GrpcLimits.MAX_SCRAPED_LABELS);
            }
            for (Map.Entry<String, String> label : sample.getLabelsMap().entrySet()) {
                if (!LABEL_NAME.matcher(label.getKey()).matches() || label.getKey().startsWith("__")) {
                    return Optional.of(where + ": label names must be Prometheus label names not starting with __");
                }
                if (label.getValue().length() > GrpcLimits.MAX_SCRAPED_LABEL_VALUE_CHARS) {
                    return Optional.of(where + ": label values must have at most " + GrpcLimits.MAX_SCRAPED_LABEL_VALUE_CHARS
                            + " characters");
                }
            }
            if (!Double.isFinite(sample.getValue())) {
                return Optional.of(where + ": value must be a finite number");
            }
            if (!series.add(workloadSeries(sample).identity())) {
                return Optional.of(where + ": the series (metric, pod, labels) appears twice");
            }
        }
        return Optional.empty();
    }

    /** The forwarded series of a deployment's sample. */
    public static List<WorkloadSeries> workloadSeries(DeploymentMetrics deployment) {
        return deployment.getScrapedList().stream().map(MetricsBatchRules::workloadSeries).toList();
    }

    private static WorkloadSeries workloadSeries(ScrapedSample sample) {
        return new WorkloadSeries(sample.getMetric(), sample.getPod(), new TreeMap<>(sample.getLabelsMap()),
                sample.getValue());
    }

    private static boolean outOfRange(int replicas) {
        return replicas < 0 || replicas > GrpcLimits.MAX_METRICS_REPLICAS;
    }

    /** The series a deployment's sample stores: per workload, every phase (0 when not sent), restarts, omitted. */
    public static List<MetricSeries> series(DeploymentMetrics deployment) {
        List<MetricSeries> series = new ArrayList<>();
        for (WorkloadMetrics w : deployment.getWorkloadsList()) {
            series.add(new MetricSeries(MetricSeries.READY_REPLICAS, w.getKind(), w.getNamespace(), w.getName(), "",
                    w.getReadyReplicas()));
            series.add(new MetricSeries(MetricSeries.DESIRED_REPLICAS, w.getKind(), w.getNamespace(), w.getName(), "",
                    w.getDesiredReplicas()));
        }
        for (String phase : PHASES) {
            long pods = deployment.getPodPhasesList().stream().filter(p -> p.getPhase().equals(phase))
                    .mapToLong(PodPhaseCount::getPods).sum();
            series.add(new MetricSeries(MetricSeries.PODS, "", "", "", phase, pods));
        }
        series.add(MetricSeries.ofDeployment(MetricSeries.CONTAINER_RESTARTS, deployment.getContainerRestarts()));
        series.add(MetricSeries.ofDeployment(MetricSeries.WORKLOADS_OMITTED, deployment.getWorkloadsOmitted()));
        series.add(MetricSeries.ofDeployment(MetricSeries.SCRAPED_OMITTED, deployment.getScrapedOmitted()));
        return series;
    }
}
