package dev.outpost.agent.cluster;

import java.util.List;

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

    /** Every rule, in the Role's order. */
    public static final List<Rule> NAMESPACE_RULES = List.of(
            new Rule("", "configmaps", MANAGE),
            new Rule("", "secrets", MANAGE),
            new Rule("", "services", MANAGE),
            new Rule("", "serviceaccounts", MANAGE),
            new Rule("", "persistentvolumeclaims", MANAGE),
            new Rule("apps", "deployments", MANAGE),
            new Rule("apps", "statefulsets", MANAGE),
            new Rule("apps", "daemonsets", MANAGE),
            new Rule("policy", "poddisruptionbudgets", MANAGE),
            new Rule("", "pods", READ));

    private AgentPermissions() {
    }
}
