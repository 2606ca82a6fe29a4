package dev.outpost.agent.config;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the agent is told at start, validated. The join token and CA hash matter only until
 * the agent has enrolled; {@code toString} never shows the token.
 */
public record AgentConfig(
        HubAddress hub,
        Optional<String> joinToken,
        Optional<String> caHash,
        Path stateDir,
        Optional<Path> kubeconfig,
        Set<String> namespaces,
        String fieldManager,
        int maxParallelDeployments) {

    @Override
    public String toString() {
        return "hub=" + hub + " state-dir=" + stateDir + " namespaces=" + namespaces + " field-manager=" + fieldManager
                + " max-parallel-deployments=" + maxParallelDeployments + " join-token="
                + (joinToken.isPresent() ? "(given)" : "(none)");
    }
}
