package dev.outpost.agent.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which of the agent's needed permissions a namespace's RBAC rules (as a SelfSubjectRulesReview
 * returns them) do not grant. Pure, so the matching of wildcards is tested without a cluster.
 */
public final class RulesCheck {
    private static final String ANY = "*";

    /** One granted rule: groups, resources and verbs, any of which may be "*"; names limit it to those objects. */
    public record Granted(List<String> apiGroups, List<String> resources, List<String> verbs, List<String> resourceNames) {
        boolean grants(String apiGroup, String resource, String verb) {
            // A rule limited to named objects cannot list, watch or create; the agent needs any name.
            return (resourceNames == null || resourceNames.isEmpty())
                    && covers(apiGroups, apiGroup) && covers(resources, resource) && covers(verbs, verb);
        }

        private static boolean covers(List<String> values, String wanted) {
            return values != null && (values.contains(ANY) || values.contains(wanted));
        }
    }

    private RulesCheck() {
    }

    /** The verbs missing per resource ("apps/deployments" → [create, patch]), in the needed order; empty when all are granted. */
    public static Map<String, List<String>> missing(List<AgentPermissions.Rule> needed, List<Granted> granted) {
        Map<String, List<String>> missing = new LinkedHashMap<>();
        for (AgentPermissions.Rule rule : needed) {
            for (String verb : rule.verbs()) {
                if (granted.stream().noneMatch(g -> g.grants(rule.apiGroup(), rule.resource(), verb))) {
                    missing.computeIfAbsent(rule.qualifiedResource(), k -> new ArrayList<>()).add(verb);
                }
            }
        }
        return missing;
    }

    /** Whether nothing at all of {@code needed} is granted. */
    public static boolean nothingGranted(List<AgentPermissions.Rule> needed, Map<String, List<String>> missing) {
        int verbs = needed.stream().mapToInt(rule -> rule.verbs().size()).sum();
        return missing.values().stream().mapToInt(List::size).sum() == verbs;
    }
}
