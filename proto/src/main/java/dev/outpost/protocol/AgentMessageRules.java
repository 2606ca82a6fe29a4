package dev.outpost.protocol;

import dev.outpost.protocol.text.FreeText;
import dev.outpost.protocol.v1.AgentCondition;
import dev.outpost.protocol.v1.AgentState;
import dev.outpost.protocol.v1.ClusterFacts;
import dev.outpost.protocol.v1.EnrollRequest;
import dev.outpost.protocol.v1.Hello;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The shape rules for what an agent sends, checked before anything reaches a store. Each problem is
 * one line that starts with the field's name and says the limit ("agent_version must be at most 100
 * characters (has 101)"); the gateway answers it with INVALID_ARGUMENT, since sending the same
 * message again can never succeed. Limits are {@link FieldLimits}; claims about deployments are
 * checked against the database by the stores, not here.
 */
public final class AgentMessageRules {
    /** A Kubernetes DNS-1123 label: what namespaces (and the hub's deployment names) must look like. */
    public static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    private AgentMessageRules() {
    }

    /** What is wrong with an Enroll request's fields, or empty. */
    public static Optional<String> enrollProblem(EnrollRequest request) {
        if (request.getJoinToken().length() > FieldLimits.JOIN_TOKEN_CHARS) {
            return Optional.of("join_token must be at most " + FieldLimits.JOIN_TOKEN_CHARS + " characters (has "
                    + request.getJoinToken().length() + ")");
        }
        if (request.getCsrDer().size() > FieldLimits.CSR_BYTES) {
            return Optional.of("csr_der must be at most " + FieldLimits.CSR_BYTES + " bytes (has "
                    + request.getCsrDer().size() + ")");
        }
        return agentVersionProblem(request.getAgentVersion()).or(() -> clusterProblem(request.getCluster()));
    }

    /** What is wrong with a Hello's own fields (not yet its claims about deployments), or empty. */
    public static Optional<String> helloProblem(Hello hello) {
        if (hello.getAppliedCount() > FieldLimits.APPLIED_ENTRIES) {
            return Optional.of("applied must have at most " + FieldLimits.APPLIED_ENTRIES + " entries (has "
                    + hello.getAppliedCount() + ")");
        }
        return agentVersionProblem(hello.getAgentVersion()).or(() -> clusterProblem(hello.getCluster()))
                .or(() -> allowedNamespacesProblem(hello))
                .or(() -> hello.hasCondition() ? conditionProblem("condition", hello.getCondition()) : Optional.empty());
    }

    /** What is wrong with a reported condition, the field named under {@code field}, or empty. */
    public static Optional<String> conditionProblem(String field, AgentCondition condition) {
        if (condition.getState() != AgentState.AGENT_STATE_READY && condition.getState() != AgentState.AGENT_STATE_DEGRADED) {
            return Optional.of(field + ".state: must be AGENT_STATE_READY or AGENT_STATE_DEGRADED, got "
                    + condition.getStateValue());
        }
        if (condition.getState() == AgentState.AGENT_STATE_DEGRADED) {
            Optional<String> reason = FreeText.problem(condition.getReason(), FieldLimits.CONDITION_REASON_CHARS);
            if (reason.isPresent()) {
                return Optional.of(field + ".reason: " + reason.get());
            }
        } else if (!condition.getReason().isEmpty()) {
            return Optional.of(field + ".reason: must be empty when the state is AGENT_STATE_READY");
        }
        if (condition.getSinceUnixMs() <= 0 || condition.getSinceUnixMs() > FieldLimits.LATEST_UNIX_MS) {
            return Optional.of(field + ".since_unix_ms: must be a Unix time in milliseconds from 1970 to 9999, got "
                    + condition.getSinceUnixMs());
        }
        return Optional.empty();
    }

    /** Empty from older agents (not told); else at most {@link FieldLimits#ALLOWED_NAMESPACES} distinct labels. */
    private static Optional<String> allowedNamespacesProblem(Hello hello) {
        if (hello.getAllowedNamespacesCount() > FieldLimits.ALLOWED_NAMESPACES) {
            return Optional.of("allowed_namespaces: at most " + FieldLimits.ALLOWED_NAMESPACES + " entries, got "
                    + hello.getAllowedNamespacesCount());
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < hello.getAllowedNamespacesCount(); i++) {
            String namespace = hello.getAllowedNamespaces(i);
            if (!DNS_LABEL.matcher(namespace).matches()) {
                return Optional.of("allowed_namespaces[" + i + "]: must be a DNS-1123 label, got "
                        + FreeText.forLog(namespace));
            }
            if (!seen.add(namespace)) {
                return Optional.of("allowed_namespaces[" + i + "]: " + namespace + " is listed twice");
            }
        }
        return Optional.empty();
    }

    /** What is wrong with the command id of a progress report or result, or empty. */
    public static Optional<String> commandIdProblem(String field, String commandId) {
        return FreeText.problem(commandId, FieldLimits.ID_CHARS).map(p -> field + " " + p);
    }

    private static Optional<String> agentVersionProblem(String version) {
        return FreeText.problem(version, FieldLimits.AGENT_VERSION_CHARS).map(p -> "agent_version " + p);
    }

    private static Optional<String> clusterProblem(ClusterFacts cluster) {
        if (cluster.getNodeCount() < 0) {
            return Optional.of("cluster.node_count must not be negative (is " + cluster.getNodeCount() + ")");
        }
        return optionalText("cluster.kubernetes_version", cluster.getKubernetesVersion(),
                FieldLimits.KUBERNETES_VERSION_CHARS)
                .or(() -> optionalText("cluster.platform", cluster.getPlatform(), FieldLimits.PLATFORM_CHARS));
    }

    /** Empty means unknown (an agent that may not read the version or list nodes sends nothing). */
    private static Optional<String> optionalText(String field, String value, int maxCodePoints) {
        return value.isEmpty() ? Optional.empty() : FreeText.problem(value, maxCodePoints).map(p -> field + " " + p);
    }
}
