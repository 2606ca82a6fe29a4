package dev.outpost.agent.cluster;

import java.util.List;
import java.util.stream.Stream;

/**
 * What the agent needs in every namespace it manages: the Role in agent/rbac/namespace-role.yaml,
 * as code, so the agent can check it before it is needed (a test keeps the two the same).
 */
public final class AgentPermissions {
    private static final List<String> MANAGE = List.of("get", "list", "watch", "create", "update", "patch", "delete");
    private static final List<String> READ = List.of("get", "list", "watch");

    /** The verbs needed on one resource of one API group ("" is the core group). */
    public record Rule(String apiGroup, String resource, List<String> verbs) {
        /** "apps/deployments", or "configmaps" for the core group. */
        public String qualifiedResource() {
            return apiGroup.isEmpty() ? resource : apiGroup + "/" + resource;
        }
    }

    /** The kinds Outpost releases contain: the start of both the Role and the deployer ClusterRole. */
    private static final List<Rule> WORKLOAD_RULES = List.of(
            new Rule("", "configmaps", MANAGE),
            new Rule("", "secrets", MANAGE),
            new Rule("", "services", MANAGE),
            new Rule("", "serviceaccounts", MANAGE),
            new Rule("", "persistentvolumeclaims", MANAGE),
            new Rule("apps", "deployments", MANAGE),
            new Rule("apps", "statefulsets", MANAGE),
            new Rule("apps", "daemonsets", MANAGE),
            new Rule("policy", "poddisruptionbudgets", MANAGE),
            new Rule("", "pods", READ),
            // following the deployments' container logs, which the agent ships to the hub (docs/logs.md)
            new Rule("", "pods/log", List.of("get")),
            // the pods' actual CPU and memory, where the cluster's metrics API answers (docs/usage.md)
            new Rule("metrics.k8s.io", "pods", List.of("get", "list")),
            // charts in the wild carry Jobs (migrations, gates) and autoscalers (the redis example)
            new Rule("batch", "jobs", MANAGE),
            new Rule("autoscaling", "horizontalpodautoscalers", MANAGE));

    /**
     * Every rule of the Role, in its order: the workload kinds, and reading the namespace's quota and
     * default limits, which a plan's preflight checks the workloads against.
     */
    public static final List<Rule> NAMESPACE_RULES = Stream.concat(WORKLOAD_RULES.stream(), Stream.of(
            new Rule("", "resourcequotas", List.of("get", "list")),
            new Rule("", "limitranges", List.of("get", "list")))).toList();

    /**
     * Rules the agent works without, so it does not refuse to start on a Role written before them: it
     * then records no actual-usage meters, and says so once.
     */
    public static final List<Rule> OPTIONAL_RULES = List.of(new Rule("metrics.k8s.io", "pods", List.of("get", "list")));

    /** The rules of {@link #NAMESPACE_RULES} the agent checks at start and refuses to start without. */
    public static final List<Rule> REQUIRED_NAMESPACE_RULES =
            NAMESPACE_RULES.stream().filter(rule -> !OPTIONAL_RULES.contains(rule)).toList();

    /**
     * The ClusterRole {@code outpost-agent-deployer} in agent/rbac/per-deployment.yaml, which the agent
     * binds itself to in each namespace it creates: the workload kinds, the guard rails, and get/delete
     * of that namespace itself.
     */
    public static final List<Rule> DEPLOYER_RULES = Stream.concat(WORKLOAD_RULES.stream(), Stream.of(
            new Rule("networking.k8s.io", "networkpolicies", MANAGE),
            new Rule("", "resourcequotas", MANAGE),
            new Rule("", "limitranges", MANAGE),
            new Rule("", "namespaces", List.of("get", "delete")))).toList();

    /** One cluster-wide permission, as a SelfSubjectAccessReview asks for it; {@code name} empty for any object. */
    public record ClusterAccess(String apiGroup, String resource, String verb, String name) {
        /** "create namespaces", "bind rbac.authorization.k8s.io/clusterroles outpost-agent-deployer". */
        public String describe() {
            return verb + " " + (apiGroup.isEmpty() ? resource : apiGroup + "/" + resource) + (name.isEmpty() ? "" : " " + name);
        }
    }

    /** The ClusterRole {@code outpost-agent-namespaces} of agent/rbac/per-deployment.yaml, in its order. */
    public static final List<ClusterAccess> PER_DEPLOYMENT_CLUSTER_RULES = List.of(
            new ClusterAccess("", "namespaces", "create", ""),
            new ClusterAccess("", "namespaces", "get", ""),
            new ClusterAccess("rbac.authorization.k8s.io", "rolebindings", "create", ""),
            new ClusterAccess("rbac.authorization.k8s.io", "clusterroles", "bind", "outpost-agent-deployer"));

    private AgentPermissions() {
    }
}
