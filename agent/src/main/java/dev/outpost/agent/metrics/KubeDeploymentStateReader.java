package dev.outpost.agent.metrics;

import dev.outpost.agent.model.OutpostMetadata;
import dev.outpost.agent.usage.MeteredDeployment;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Lists a deployment's Deployments, StatefulSets, DaemonSets and pods by its label in each of its
 * namespaces (the agent's Role allows listing them there; it may not list across the cluster).
 */
public final class KubeDeploymentStateReader implements DeploymentStateReader {
    private final KubernetesClient client;

    public KubeDeploymentStateReader(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public DeploymentState read(MeteredDeployment deployment) {
        String label = OutpostMetadata.DEPLOYMENT_LABEL;
        String id = deployment.deploymentId();
        List<Deployment> deployments = new ArrayList<>();
        List<StatefulSet> statefulSets = new ArrayList<>();
        List<DaemonSet> daemonSets = new ArrayList<>();
        List<Pod> pods = new ArrayList<>();
        for (String namespace : new TreeSet<>(deployment.namespaces())) {
            deployments.addAll(client.apps().deployments().inNamespace(namespace).withLabel(label, id).list().getItems());
            statefulSets.addAll(client.apps().statefulSets().inNamespace(namespace).withLabel(label, id).list().getItems());
            daemonSets.addAll(client.apps().daemonSets().inNamespace(namespace).withLabel(label, id).list().getItems());
            pods.addAll(client.pods().inNamespace(namespace).withLabel(label, id).list().getItems());
        }
        return new DeploymentState(deployments, statefulSets, daemonSets, pods);
    }
}
