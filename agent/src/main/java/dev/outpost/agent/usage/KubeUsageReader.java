package dev.outpost.agent.usage;

import dev.outpost.agent.model.OutpostMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Lists a deployment's pods and PersistentVolumeClaims by its label in each of its namespaces (the
 * agent's Role allows reading both there; it may not list across the cluster), and what the pods use
 * where the metrics API answers.
 */
public final class KubeUsageReader implements UsageReader {
    private final KubernetesClient client;
    private final MetricsApiReader metricsApi;

    public KubeUsageReader(KubernetesClient client, MetricsApiReader metricsApi) {
        this.client = client;
        this.metricsApi = metricsApi;
    }

    @Override
    public UsageSnapshot read(MeteredDeployment deployment) {
        List<Pod> pods = new ArrayList<>();
        List<PersistentVolumeClaim> claims = new ArrayList<>();
        for (String namespace : new TreeSet<>(deployment.namespaces())) {
            pods.addAll(client.pods().inNamespace(namespace)
                    .withLabel(OutpostMetadata.DEPLOYMENT_LABEL, deployment.deploymentId()).list().getItems());
            claims.addAll(client.persistentVolumeClaims().inNamespace(namespace)
                    .withLabel(OutpostMetadata.DEPLOYMENT_LABEL, deployment.deploymentId()).list().getItems());
        }
        return new UsageSnapshot(pods, claims, metricsApi.read(deployment.namespaces(), OutpostMetadata.DEPLOYMENT_LABEL,
                deployment.deploymentId()));
    }
}
