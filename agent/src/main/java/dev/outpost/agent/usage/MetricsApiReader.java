package dev.outpost.agent.usage;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.ContainerMetrics;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetrics;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.math.BigDecimal;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads what a deployment's pods use from the cluster's metrics API ({@code metrics.k8s.io}, served by
 * metrics-server or a replacement), as {@code kubectl top pod} does. Many clusters have none, and older
 * agent Roles do not grant it: any failure gives {@link ActualUsage#UNANSWERED}, never a failed round,
 * and is logged once when it starts and once when the API answers again. Used by one thread.
 */
public final class MetricsApiReader {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsApiReader.class);

    private final KubernetesClient client;
    private final String agent;
    private String lastFailure; // null while the API answers (or before the first read)

    /** @param agent names the agent in log lines */
    public MetricsApiReader(KubernetesClient client, String agent) {
        this.client = client;
        this.agent = agent;
    }

    /** The use of the pods labelled {@code label=value} in each namespace, or UNANSWERED. */
    public ActualUsage read(Collection<String> namespaces, String label, String value) {
        Map<String, ActualUsage.PodUse> pods = new HashMap<>();
        try {
            for (String namespace : new TreeSet<>(namespaces)) {
                for (PodMetrics metrics : client.top().pods().inNamespace(namespace).withLabels(Map.of(label, value))
                        .metrics().getItems()) {
                    pods.put(ActualUsage.key(namespace, metrics.getMetadata().getName()), use(metrics));
                }
            }
        } catch (KubernetesClientException | IllegalArgumentException e) {
            failed(describe(e));
            return ActualUsage.UNANSWERED;
        }
        if (lastFailure != null) {
            LOG.info("usage: the metrics API answers again: actual CPU and memory use are recorded ({})", agent);
            lastFailure = null;
        }
        return new ActualUsage(true, pods);
    }

    private static ActualUsage.PodUse use(PodMetrics metrics) {
        BigDecimal cores = BigDecimal.ZERO;
        BigDecimal memory = BigDecimal.ZERO;
        for (ContainerMetrics container : metrics.getContainers()) {
            Map<String, Quantity> usage = container.getUsage() == null ? Map.of() : container.getUsage();
            cores = cores.add(amount(usage.get("cpu")));
            memory = memory.add(amount(usage.get("memory")));
        }
        return new ActualUsage.PodUse(cores, memory);
    }

    private static BigDecimal amount(Quantity quantity) {
        return quantity == null ? BigDecimal.ZERO : Quantity.getAmountInBytes(quantity);
    }

    private void failed(String why) {
        if (!why.equals(lastFailure)) {
            LOG.info("usage: the metrics API (metrics.k8s.io) does not answer ({}): actual CPU and memory use are not "
                    + "recorded until it does; requested resources still are ({})", why, agent);
        }
        lastFailure = why;
    }

    private static String describe(RuntimeException e) {
        if (e instanceof KubernetesClientException k && k.getCode() > 0) {
            return switch (k.getCode()) {
                case 404 -> "404: no metrics API in this cluster; install metrics-server to have it";
                case 403 -> "403: the agent's Role does not grant get,list on metrics.k8s.io pods (agent/rbac)";
                case 503 -> "503: the metrics API is registered but its server is unavailable";
                default -> k.getCode() + ": " + (k.getStatus() == null ? k.getMessage() : k.getStatus().getMessage());
            };
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
