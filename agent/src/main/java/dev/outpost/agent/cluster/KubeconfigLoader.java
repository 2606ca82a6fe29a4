package dev.outpost.agent.cluster;

import io.fabric8.kubernetes.api.model.NamedAuthInfo;
import io.fabric8.kubernetes.api.model.NamedCluster;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.internal.KubeConfigUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Loads the cluster configuration the agent was given: the kubeconfig file, or in a pod the
 * ServiceAccount's. Checks the fields the client needs itself, so that a wrong file is reported by
 * file and field at start instead of as a connection error to a default address much later.
 */
public final class KubeconfigLoader {
    /** Where Kubernetes mounts a pod's ServiceAccount token. */
    static final Path IN_CLUSTER_TOKEN = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");
    private static final String HOW_TO_GET_ONE =
            "create one for the agent's ServiceAccount with agent/rbac/kubeconfig.sh (see agent/rbac/README.md)";

    private KubeconfigLoader() {
    }

    /** The client configuration of {@code kubeconfig}, or the in-cluster one when it is empty. */
    public static Config load(Optional<Path> kubeconfig, Map<String, String> env) throws ClusterAccessException {
        return kubeconfig.isPresent() ? fromFile(kubeconfig.get()) : inCluster(env);
    }

    static Config fromFile(Path file) throws ClusterAccessException {
        if (!Files.isRegularFile(file) && file.toString().contains(java.io.File.pathSeparator)) {
            throw new ClusterAccessException("the kubeconfig " + file + " is a list of files (as KUBECONFIG may be); "
                    + "the agent reads one: pass --kubeconfig FILE");
        }
        if (!Files.isRegularFile(file)) {
            throw new ClusterAccessException("the kubeconfig " + file + " (--kubeconfig or KUBECONFIG) does not exist "
                    + "or is not a file: " + HOW_TO_GET_ONE);
        }
        if (!Files.isReadable(file)) {
            throw new ClusterAccessException("the kubeconfig " + file + " is not readable by this user");
        }
        io.fabric8.kubernetes.api.model.Config parsed;
        try {
            parsed = KubeConfigUtils.parseConfig(file.toFile());
        } catch (RuntimeException e) {
            throw new ClusterAccessException("the kubeconfig " + file + " is not a valid kubeconfig (YAML with "
                    + "clusters, users, contexts and current-context): " + firstLine(e));
        }
        String contextName = parsed == null ? null : parsed.getCurrentContext();
        if (contextName == null || contextName.isBlank()) {
            throw new ClusterAccessException("the kubeconfig " + file + " has no current-context: set it with "
                    + "kubectl config use-context NAME --kubeconfig " + file);
        }
        NamedContext context = named(parsed.getContexts(), NamedContext::getName, contextName);
        if (context == null || context.getContext() == null) {
            throw new ClusterAccessException("the kubeconfig " + file + ": current-context '" + contextName
                    + "' is not among its contexts");
        }
        String clusterName = context.getContext().getCluster();
        NamedCluster cluster = named(parsed.getClusters(), NamedCluster::getName, clusterName);
        if (cluster == null || cluster.getCluster() == null) {
            throw new ClusterAccessException("the kubeconfig " + file + ": context '" + contextName + "' names cluster '"
                    + clusterName + "', which is not among its clusters");
        }
        String server = cluster.getCluster().getServer();
        if (server == null || server.isBlank()) {
            throw new ClusterAccessException("the kubeconfig " + file + ": cluster '" + clusterName
                    + "' has no server (clusters[].cluster.server, e.g. https://10.0.0.1:6443)");
        }
        String userName = context.getContext().getUser();
        NamedAuthInfo user = named(parsed.getUsers(), NamedAuthInfo::getName, userName);
        if (user == null || user.getUser() == null) {
            throw new ClusterAccessException("the kubeconfig " + file + ": context '" + contextName + "' names user '"
                    + userName + "', which is not among its users (users[].name)");
        }
        try {
            return Config.fromKubeconfig(file.toFile());
        } catch (RuntimeException e) {
            throw new ClusterAccessException("the kubeconfig " + file + " cannot be used: " + firstLine(e));
        }
    }

    static Config inCluster(Map<String, String> env) throws ClusterAccessException {
        String host = env.get("KUBERNETES_SERVICE_HOST");
        if (host == null || host.isBlank() || !Files.isReadable(IN_CLUSTER_TOKEN)) {
            throw new ClusterAccessException("no cluster to manage: no --kubeconfig (or KUBECONFIG) was given, and this "
                    + "is not a pod with a ServiceAccount (" + (host == null || host.isBlank()
                            ? "KUBERNETES_SERVICE_HOST is not set" : IN_CLUSTER_TOKEN + " is not readable")
                    + "). Outside the cluster, pass --kubeconfig FILE: " + HOW_TO_GET_ONE);
        }
        try {
            // In a pod autoConfigure reads the mounted token and CA (no kubeconfig there to prefer).
            return Config.autoConfigure(null);
        } catch (RuntimeException e) {
            throw new ClusterAccessException("the in-cluster configuration cannot be used: " + firstLine(e));
        }
    }

    private static <T> T named(List<T> items, java.util.function.Function<T, String> name, String wanted) {
        if (items == null || wanted == null) {
            return null;
        }
        return items.stream().filter(item -> wanted.equals(name.apply(item))).findFirst().orElse(null);
    }

    private static String firstLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
