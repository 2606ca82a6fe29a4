package dev.outpost.agent.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Where the agent deploys (--namespace-mode): namespaces it creates per deployment, or only existing ones. */
public enum AgentNamespaceMode {
    /** One namespace per deployment, created and deleted by the agent (agent/rbac/per-deployment.yaml). */
    PER_DEPLOYMENT("per-deployment"),
    /** Only the existing namespaces of --namespaces (agent/rbac/namespace-role.yaml in each). */
    EXISTING("existing");

    private final String option;

    AgentNamespaceMode(String option) {
        this.option = option;
    }

    /** The value on the command line. */
    public String option() {
        return option;
    }

    /** Whether the agent creates namespaces (Hello.creates_namespaces). */
    public boolean createsNamespaces() {
        return this == PER_DEPLOYMENT;
    }

    static AgentNamespaceMode parse(String text) {
        String wanted = text.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(mode -> mode.option.equals(wanted)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("--namespace-mode must be one of "
                        + Arrays.stream(values()).map(AgentNamespaceMode::option).collect(Collectors.joining(", "))
                        + ", got '" + text + "'"));
    }
}
