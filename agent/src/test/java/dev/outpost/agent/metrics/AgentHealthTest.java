package dev.outpost.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.protocol.v1.AgentCondition;
import dev.outpost.protocol.v1.AgentState;
import org.junit.jupiter.api.Test;

class AgentHealthTest {
    private static final AgentCondition READY = AgentCondition.newBuilder().setState(AgentState.AGENT_STATE_READY).build();
    private static final AgentCondition DEGRADED = AgentCondition.newBuilder().setState(AgentState.AGENT_STATE_DEGRADED)
            .setReason("namespace apps does not exist").build();

    @Test
    void aLostHubDoesNotMakeTheAgentUnhealthyButIsSaid() {
        AgentHealth health = AgentHealth.of(READY, false);
        assertThat(health.healthy()).isTrue();
        assertThat(health.text()).isEqualTo("ok: cluster ready, hub disconnected, reconnecting");
        assertThat(AgentHealth.of(READY, true).text()).isEqualTo("ok: cluster ready, hub connected");
    }

    @Test
    void aDegradedClusterIsUnhealthyWithItsReason() {
        AgentHealth health = AgentHealth.of(DEGRADED, true);
        assertThat(health.healthy()).isFalse();
        assertThat(health.text()).isEqualTo("unhealthy: cluster degraded: namespace apps does not exist (hub connected)");
    }
}
