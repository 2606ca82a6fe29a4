package dev.outpost.hub.install;

import java.util.List;

/**
 * What a customer needs to install the agent of one environment, with the join token they were given:
 * the hub's address and CA fingerprint, the installer command, the equivalent Helm command, and the
 * agent chart rendered with those values for a customer who reviews every object before applying it.
 *
 * @param namespaces the namespaces the agent may deploy into; empty: a namespace per deployment
 */
public record AgentInstall(
        String environmentId,
        String hub,
        String caHash,
        String agentNamespace,
        List<String> namespaces,
        String installCommand,
        String helmCommand,
        String manifest) {
}
