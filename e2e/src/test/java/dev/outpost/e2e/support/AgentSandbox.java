package dev.outpost.e2e.support;

import dev.outpost.testcluster.KubeCluster;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a customer prepares before installing the agent: a namespace, a ServiceAccount, and the
 * least-privilege Role from agent/rbac/namespace-role.yaml bound to it; then a kubeconfig for it.
 */
public final class AgentSandbox {
    private AgentSandbox() {
    }

    /** Creates the namespace and RBAC; returns the ServiceAccount's kubeconfig written under {@code dir}. */
    public static Path prepare(KubeCluster cluster, String namespace, Path dir) {
        KubernetesClient admin = cluster.adminClient();
        admin.serviceAccounts().inNamespace(namespace).resource(new ServiceAccountBuilder()
                .withNewMetadata().withName("outpost-agent").endMetadata().build()).serverSideApply();
        try {
            String rbac = Files.readString(ProjectPaths.root().resolve("agent/rbac/namespace-role.yaml"),
                    StandardCharsets.UTF_8).replace("MANAGED_NAMESPACE", namespace).replace("AGENT_NAMESPACE", namespace);
            admin.load(new java.io.ByteArrayInputStream(rbac.getBytes(StandardCharsets.UTF_8)))
                    .inNamespace(namespace).serverSideApply();
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return cluster.writeServiceAccountKubeconfig(namespace, "outpost-agent", dir.resolve("agent-kubeconfig.yaml"));
    }

    /**
     * As {@link #prepare}, plus agent/rbac/per-deployment.yaml for the agent's ServiceAccount in
     * {@code namespace}: the agent may then create a namespace per deployment (what setup.sh
     * --per-deployment applies).
     */
    public static Path preparePerDeployment(KubeCluster cluster, String namespace, Path dir) {
        Path kubeconfig = prepare(cluster, namespace, dir);
        try {
            String rbac = Files.readString(ProjectPaths.root().resolve("agent/rbac/per-deployment.yaml"),
                    StandardCharsets.UTF_8).replace("AGENT_NAMESPACE", namespace);
            cluster.adminClient().load(new java.io.ByteArrayInputStream(rbac.getBytes(StandardCharsets.UTF_8)))
                    .serverSideApply();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return kubeconfig;
    }
}
