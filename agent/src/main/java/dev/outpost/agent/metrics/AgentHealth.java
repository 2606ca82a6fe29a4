package dev.outpost.agent.metrics;

import dev.outpost.protocol.v1.AgentCondition;
import dev.outpost.protocol.v1.AgentState;

/**
 * What /healthz answers. Healthy while the cluster check passes. A lost hub connection is NOT
 * unhealthy: the agent reconnects by itself with backoff, and a liveness probe that restarted it
 * whenever the vendor's hub is down would only add restarts in the customer's cluster (and, once the
 * hub is back, a thundering herd of agents). The text says that the hub is disconnected all the same.
 */
public record AgentHealth(boolean healthy, String text) {

    /** The verdict for the cluster {@code condition} and the hub connection. */
    public static AgentHealth of(AgentCondition condition, boolean hubConnected) {
        String hub = hubConnected ? "hub connected" : "hub disconnected, reconnecting";
        if (condition.getState() == AgentState.AGENT_STATE_READY) {
            return new AgentHealth(true, "ok: cluster ready, " + hub);
        }
        String reason = condition.getReason().isBlank() ? "cluster check failed" : condition.getReason();
        return new AgentHealth(false, "unhealthy: cluster degraded: " + reason + " (" + hub + ")");
    }
}
