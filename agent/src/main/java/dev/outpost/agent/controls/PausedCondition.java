package dev.outpost.agent.controls;

import dev.outpost.protocol.v1.AgentCondition;
import dev.outpost.protocol.v1.AgentState;
import java.util.function.Supplier;

/**
 * The condition the hub is told: degraded with the customer's reason while paused, otherwise the
 * cluster's. (The agent's /healthz keeps to the cluster: a pause must not restart its pod.)
 */
public final class PausedCondition implements Supplier<AgentCondition> {
    private final PauseSwitch pause;
    private final Supplier<AgentCondition> cluster;

    public PausedCondition(PauseSwitch pause, Supplier<AgentCondition> cluster) {
        this.pause = pause;
        this.cluster = cluster;
    }

    @Override
    public AgentCondition get() {
        return pause.current().map(p -> AgentCondition.newBuilder().setState(AgentState.AGENT_STATE_DEGRADED)
                        .setReason("paused by the customer: " + p.reason()).setSinceUnixMs(p.since().toEpochMilli())
                        .build())
                .orElseGet(cluster);
    }
}
