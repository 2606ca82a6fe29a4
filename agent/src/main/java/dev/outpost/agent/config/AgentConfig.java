package dev.outpost.agent.config;

import dev.outpost.agent.policy.ApplyPolicy;
import dev.outpost.agent.proxy.ProxyCredentials;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the agent is told at start, validated. The join token and CA hash matter only until
 * the agent has enrolled; {@code toString} never shows the token. {@code approvalRequired}: every
 * command waits for the customer's approval (outpost-agent approve) before anything of it is carried out.
 */
public record AgentConfig(
        HubAddress hub,
        Optional<String> joinToken,
        Optional<String> caHash,
        Path stateDir,
        Optional<Path> kubeconfig,
        Set<String> namespaces,
        String fieldManager,
        int maxParallelDeployments,
        AgentNamespaceMode namespaceMode,
        Optional<Path> testInfrastructureFile,
        UsageOptions usage,
        LogOptions logs,
        MetricsOptions metrics,
        Optional<Path> caBundle,
        ApplyPolicy policy,
        Optional<ProxyCredentials> proxyCredentials,
        boolean approvalRequired) {

    /** The configuration of an agent that deploys only into the existing {@code namespaces}. */
    public AgentConfig(HubAddress hub, Optional<String> joinToken, Optional<String> caHash, Path stateDir,
            Optional<Path> kubeconfig, Set<String> namespaces, String fieldManager, int maxParallelDeployments) {
        this(hub, joinToken, caHash, stateDir, kubeconfig, namespaces, fieldManager, maxParallelDeployments,
                AgentNamespaceMode.EXISTING, Optional.empty(), UsageOptions.DEFAULTS, LogOptions.DEFAULTS,
                MetricsOptions.DEFAULTS, Optional.empty(), ApplyPolicy.NONE, Optional.empty(), false);
    }

    /** As the canonical constructor, with the default logs and metrics options. */
    public AgentConfig(HubAddress hub, Optional<String> joinToken, Optional<String> caHash, Path stateDir,
            Optional<Path> kubeconfig, Set<String> namespaces, String fieldManager, int maxParallelDeployments,
            AgentNamespaceMode namespaceMode, Optional<Path> testInfrastructureFile, UsageOptions usage) {
        this(hub, joinToken, caHash, stateDir, kubeconfig, namespaces, fieldManager, maxParallelDeployments,
                namespaceMode, testInfrastructureFile, usage, LogOptions.DEFAULTS, MetricsOptions.DEFAULTS, Optional.empty(), ApplyPolicy.NONE, Optional.empty(), false);
    }

    @Override
    public String toString() {
        return "hub=" + hub + " state-dir=" + stateDir + " namespace-mode=" + namespaceMode.option()
                + " namespaces=" + namespaces + " field-manager=" + fieldManager
                + " max-parallel-deployments=" + maxParallelDeployments
                + " infrastructure-provider=" + testInfrastructureFile.map(file -> "test (" + file + ")").orElse("none")
                + " " + usage
                + " " + logs
                + " " + metrics
                + caBundle.map(bundle -> " ca-bundle=" + bundle).orElse("")
                + (policy.restricts() ? " policy=" + policy : "")
                + proxyCredentials.map(c -> " " + c).orElse("")
                + (approvalRequired ? " approval=on" : "")
                + " join-token="
                + (joinToken.isPresent() ? "(given)" : "(none)");
    }
}
