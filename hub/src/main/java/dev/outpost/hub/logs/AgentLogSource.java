package dev.outpost.hub.logs;

import dev.outpost.protocol.v1.LogSource;

/**
 * How the hub keeps an agent's own log: as a source with no deployment, pod = the agent's id (from its
 * certificate, never from the batch), container {@value #CONTAINER}. Queried like any pod's log.
 */
final class AgentLogSource {
    /** The container name of every agent's own log. */
    static final String CONTAINER = "outpost-agent";

    private AgentLogSource() {
    }

    /** The source as stored for {@code agentId}'s own log. */
    static LogSource stored(String agentId) {
        return LogSource.newBuilder().setDeploymentId("").setNamespace("").setPod(agentId).setPodUid("agent:" + agentId)
                .setContainer(CONTAINER).build();
    }
}
