package dev.outpost.agent.cluster;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.authentication.SelfSubjectReview;
import io.fabric8.kubernetes.api.model.authentication.SelfSubjectReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRule;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks that the agent can do its work in the cluster: the API server answers, and in every
 * managed namespace the agent holds the Role's permissions and the namespace exists. Run before
 * enrolment (so a join token is not spent on an agent that cannot work) and then periodically for the
 * condition the agent reports to the hub. Reads only, apart from a dry-run create (nothing is stored).
 */
public final class ClusterPreflight {
    /** Short, so a wrong address fails the start in seconds, not after the client's retries. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Per request; one check makes 2 + 2 per namespace requests. */
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final String PROBE_NAME = "outpost-agent-preflight";
    private static final String FIX_RBAC = "agent/rbac/setup.sh --agent-namespace %s --namespaces %s"
            + " | kubectl apply -f - (see agent/rbac/README.md)";
    private static final String SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";

    private static final String FIX_PER_DEPLOYMENT = "agent/rbac/setup.sh --agent-namespace %s --per-deployment"
            + " | kubectl apply -f - (see agent/rbac/README.md), or start the agent with --namespace-mode existing"
            + " --namespaces NS[,NS...]";

    private final KubernetesClient client;
    private final Set<String> namespaces;
    private final boolean createsNamespaces;

    /** {@code client} should be built from {@link #probeConfig}: checks must not wait out retries. */
    public ClusterPreflight(KubernetesClient client, Set<String> namespaces) {
        this(client, namespaces, false);
    }

    /**
     * As above; {@code createsNamespaces} (namespace mode per-deployment) adds the check of the
     * cluster-wide permissions of agent/rbac/per-deployment.yaml.
     */
    public ClusterPreflight(KubernetesClient client, Set<String> namespaces, boolean createsNamespaces) {
        this.client = client;
        this.namespaces = namespaces;
        this.createsNamespaces = createsNamespaces;
    }

    /** The agent's configuration with short timeouts and no retries, for checks. */
    public static Config probeConfig(Config config) {
        return new ConfigBuilder(config)
                .withConnectionTimeout((int) CONNECT_TIMEOUT.toMillis())
                .withRequestTimeout((int) REQUEST_TIMEOUT.toMillis())
                .withRequestRetryBackoffLimit(0)
                .build();
    }

    /** What a check found: the server's version when it answered, and every problem, each with its fix. */
    public record Result(String server, Optional<String> kubernetesVersion, Optional<String> identity, List<String> problems) {
        public boolean ok() {
            return problems.isEmpty();
        }

        /** One line for the hub and the log: the first problem, and how many more. */
        public String summary() {
            if (problems.isEmpty()) {
                return "";
            }
            return problems.size() == 1 ? problems.getFirst()
                    : problems.getFirst() + " (and " + (problems.size() - 1) + " more problem(s))";
        }
    }

    /** Runs every check; does not throw for what it finds (that is the result), only for bugs. */
    public Result run() {
        return run(true);
    }

    /**
     * As {@link #run()}; {@code checkNamespacesExist} adds a dry-run create per namespace (at start;
     * the periodic check leaves it out: a deleted namespace takes its RoleBinding with it, which the
     * permission check sees).
     */
    public Result run(boolean checkNamespacesExist) {
        String server = client.getConfiguration().getMasterUrl();
        String version;
        try {
            version = client.getKubernetesVersion().getGitVersion();
        } catch (RuntimeException e) {
            return new Result(server, Optional.empty(), Optional.empty(), List.of(unreachable(server, e)));
        }
        Optional<String> identity = identity();
        String as = identity.map(name -> " as " + name).orElse("");
        String agentNamespace = identity.filter(name -> name.startsWith(SERVICE_ACCOUNT_PREFIX))
                .map(name -> name.substring(SERVICE_ACCOUNT_PREFIX.length()).split(":")[0])
                .orElse("<the agent's namespace>");
        List<String> problems = new ArrayList<>();
        if (createsNamespaces) {
            try {
                checkPerDeployment(as, agentNamespace).ifPresent(problems::add);
            } catch (RuntimeException e) {
                problems.add("per-deployment namespaces: cannot check the agent's permissions: " + describe(e));
            }
        }
        for (String namespace : namespaces) {
            try {
                checkNamespace(namespace, as, agentNamespace, checkNamespacesExist).ifPresent(problems::add);
            } catch (RuntimeException e) {
                problems.add("namespace " + namespace + ": cannot check the agent's permissions: " + describe(e));
            }
        }
        return new Result(server, Optional.ofNullable(version), identity, List.copyOf(problems));
    }

    private Optional<String> checkNamespace(String namespace, String as, String agentNamespace, boolean checkExists) {
        SelfSubjectRulesReview review = client.authorization().v1().selfSubjectRulesReview().create(
                new SelfSubjectRulesReviewBuilder().withNewSpec().withNamespace(namespace).endSpec().build());
        List<RulesCheck.Granted> granted = review.getStatus() == null || review.getStatus().getResourceRules() == null
                ? List.of()
                : review.getStatus().getResourceRules().stream().map(ClusterPreflight::granted).toList();
        Map<String, List<String>> missing = RulesCheck.missing(AgentPermissions.REQUIRED_NAMESPACE_RULES, granted);
        if (!missing.isEmpty() && review.getStatus() != null && Boolean.TRUE.equals(review.getStatus().getIncomplete())) {
            // Another authorizer (webhook) may grant what RBAC's rules do not show: ask for each one.
            confirmByAccessReview(namespace, missing);
        }
        if (RulesCheck.nothingGranted(AgentPermissions.REQUIRED_NAMESPACE_RULES, missing)) {
            return Optional.of("namespace " + namespace + ": the agent may do nothing there" + as
                    + " — the namespace does not exist, or it has no RoleBinding for the agent. Fix: kubectl create "
                    + "namespace " + namespace + " (if it is missing), then " + FIX_RBAC.formatted(agentNamespace, namespace));
        }
        if (!missing.isEmpty()) {
            String what = missing.entrySet().stream()
                    .map(entry -> String.join(",", entry.getValue()) + " " + entry.getKey())
                    .collect(Collectors.joining("; "));
            return Optional.of("namespace " + namespace + ": the agent" + as + " may not " + what
                    + ". Fix: bind the Role agent/rbac/namespace-role.yaml there: " + FIX_RBAC.formatted(agentNamespace, namespace));
        }
        return checkExists ? checkExists(namespace) : Optional.empty();
    }

    /** The cluster-wide permissions namespace mode per-deployment needs, each asked for (SelfSubjectAccessReview). */
    private Optional<String> checkPerDeployment(String as, String agentNamespace) {
        List<String> missing = new ArrayList<>();
        for (AgentPermissions.ClusterAccess access : AgentPermissions.PER_DEPLOYMENT_CLUSTER_RULES) {
            SelfSubjectAccessReview answer = client.authorization().v1().selfSubjectAccessReview().create(
                    new SelfSubjectAccessReviewBuilder().withNewSpec().withNewResourceAttributes()
                            .withGroup(access.apiGroup()).withResource(access.resource()).withVerb(access.verb())
                            .withName(access.name().isEmpty() ? null : access.name())
                            .endResourceAttributes().endSpec().build());
            if (answer.getStatus() == null || !Boolean.TRUE.equals(answer.getStatus().getAllowed())) {
                missing.add(access.describe());
            }
        }
        if (missing.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("per-deployment namespaces: the agent" + as + " may not " + String.join("; ", missing)
                + " cluster-wide, so it cannot create a namespace per deployment. Fix: "
                + FIX_PER_DEPLOYMENT.formatted(agentNamespace));
    }

    /** A dry-run create fails with 404 when the namespace is gone (a ClusterRoleBinding can grant rights in any name). */
    private Optional<String> checkExists(String namespace) {
        try {
            client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder()
                    .withNewMetadata().withName(PROBE_NAME).withNamespace(namespace).endMetadata().build())
                    .dryRun().create();
            return Optional.empty();
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
                return Optional.empty(); // such a ConfigMap exists, so the namespace does
            }
            if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
                return Optional.of("namespace " + namespace + " does not exist. Fix: kubectl create namespace " + namespace
                        + ", or leave it out of --namespaces");
            }
            return Optional.of("namespace " + namespace + ": a dry-run create was refused: " + describe(e));
        }
    }

    private void confirmByAccessReview(String namespace, Map<String, List<String>> missing) {
        for (AgentPermissions.Rule rule : AgentPermissions.REQUIRED_NAMESPACE_RULES) {
            List<String> verbs = missing.get(rule.qualifiedResource());
            if (verbs == null) {
                continue;
            }
            for (Iterator<String> it = verbs.iterator(); it.hasNext(); ) {
                String verb = it.next();
                SelfSubjectAccessReview answer = client.authorization().v1().selfSubjectAccessReview().create(
                        new SelfSubjectAccessReviewBuilder().withNewSpec().withNewResourceAttributes()
                                .withNamespace(namespace).withGroup(rule.apiGroup()).withResource(rule.resource())
                                .withVerb(verb).endResourceAttributes().endSpec().build());
                if (answer.getStatus() != null && Boolean.TRUE.equals(answer.getStatus().getAllowed())) {
                    it.remove();
                }
            }
            if (verbs.isEmpty()) {
                missing.remove(rule.qualifiedResource());
            }
        }
    }

    /** Who the API server takes the agent for, when it says (SelfSubjectReview, Kubernetes 1.28+). */
    private Optional<String> identity() {
        try {
            SelfSubjectReview review = client.authentication().v1().selfSubjectReviews()
                    .create(new SelfSubjectReviewBuilder().build());
            return Optional.ofNullable(review.getStatus()).map(s -> s.getUserInfo()).map(u -> u.getUsername());
        } catch (RuntimeException e) {
            return Optional.empty(); // only for the messages; older servers lack it
        }
    }

    private static RulesCheck.Granted granted(ResourceRule rule) {
        return new RulesCheck.Granted(rule.getApiGroups(), rule.getResources(), rule.getVerbs(), rule.getResourceNames());
    }

    private static String unreachable(String server, RuntimeException e) {
        if (e instanceof KubernetesClientException k && k.getCode() == HttpURLConnection.HTTP_UNAUTHORIZED) {
            return "the API server at " + server + " refused the agent's credentials (401 Unauthorized): the token or "
                    + "client certificate in the kubeconfig is wrong or expired. Fix: write a new kubeconfig with "
                    + "agent/rbac/kubeconfig.sh";
        }
        if (e instanceof KubernetesClientException k && k.getCode() > 0) {
            return "the API server at " + server + " answered HTTP " + k.getCode() + " to GET /version: " + describe(e);
        }
        return "the API server at " + server + " does not answer: " + networkCause(e) + ". Fix: check the server "
                + "address in the kubeconfig (clusters[].cluster.server) and that this machine can reach it";
    }

    /** What went wrong on the way to the server, in words: the JDK's exceptions often carry no message. */
    private static String networkCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.net.ConnectException) {
                return "connection refused (nothing listens there, or a firewall rejects it)";
            }
            if (t instanceof java.net.UnknownHostException) {
                return "unknown host " + t.getMessage();
            }
            if (t instanceof java.net.http.HttpTimeoutException || t instanceof java.net.SocketTimeoutException
                    || t instanceof java.util.concurrent.TimeoutException) {
                return "no answer within " + CONNECT_TIMEOUT.toSeconds() + "-" + REQUEST_TIMEOUT.toSeconds() + " s";
            }
            if (t instanceof javax.net.ssl.SSLException) {
                return "TLS failed (" + t.getMessage() + "); is certificate-authority-data the cluster's CA?";
            }
        }
        return describe(e);
    }

    /** The root cause's message, one line: what fabric8 wraps it in says nothing ("An error has occurred."). */
    static String describe(Throwable e) {
        if (e instanceof KubernetesClientException k && k.getStatus() != null && k.getStatus().getMessage() != null) {
            return k.getStatus().getMessage();
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null || root.getMessage().isBlank()
                ? root.getClass().getSimpleName() : root.getClass().getSimpleName() + ": " + root.getMessage();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
