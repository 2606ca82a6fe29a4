package dev.outpost.hub.agents;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.protocol.v1.AgentCondition;
import dev.outpost.protocol.v1.AgentState;
import dev.outpost.protocol.v1.Hello;
import java.util.Collections;
import org.junit.jupiter.api.Test;

class AgentReportsTest {
    private static final AgentCondition READY = AgentCondition.newBuilder().setState(AgentState.AGENT_STATE_READY)
            .setSinceUnixMs(1_700_000_000_000L).build();

    @Test
    void aHelloWithinTheLimitsPasses() {
        assertThat(AgentReports.problemInHello(Hello.newBuilder().addAllowedNamespaces("apps").addAllowedNamespaces("data")
                .setCondition(READY).build())).isEmpty();
        assertThat(AgentReports.problemInHello(Hello.getDefaultInstance())).isEmpty(); // an older agent
    }

    @Test
    void namespacesAreBoundedValidAndDistinct() {
        assertThat(AgentReports.problemInHello(Hello.newBuilder()
                .addAllAllowedNamespaces(Collections.nCopies(101, "apps")).build()))
                .hasValue("allowed_namespaces: at most 100 entries, got 101");
        assertThat(AgentReports.problemInHello(Hello.newBuilder().addAllowedNamespaces("apps")
                .addAllowedNamespaces("Bad\nName").build()))
                .hasValue("allowed_namespaces[1]: must be a DNS-1123 label, got Bad\\u000aName");
        assertThat(AgentReports.problemInHello(Hello.newBuilder().addAllowedNamespaces("apps")
                .addAllowedNamespaces("apps").build())).hasValue("allowed_namespaces[1]: apps is listed twice");
    }

    @Test
    void aConditionNamesTheFieldThatIsWrong() {
        assertThat(AgentReports.problemInCondition("heartbeat.condition", AgentCondition.newBuilder()
                .setSinceUnixMs(1).build())).hasValue("heartbeat.condition.state: must be AGENT_STATE_READY or "
                + "AGENT_STATE_DEGRADED, got 0");
        assertThat(AgentReports.problemInCondition("condition", AgentCondition.newBuilder()
                .setState(AgentState.AGENT_STATE_DEGRADED).setReason("line\nforged").setSinceUnixMs(1).build()))
                .hasValueSatisfying(p -> assertThat(p).startsWith("condition.reason: must not contain control characters"));
        assertThat(AgentReports.problemInCondition("condition", AgentCondition.newBuilder()
                .setState(AgentState.AGENT_STATE_DEGRADED).setReason("x".repeat(501)).setSinceUnixMs(1).build()))
                .hasValue("condition.reason: must be at most 500 characters (has 501)");
        assertThat(AgentReports.problemInCondition("condition", AgentCondition.newBuilder()
                .setState(AgentState.AGENT_STATE_DEGRADED).setSinceUnixMs(1).build()))
                .hasValue("condition.reason: is required");
        assertThat(AgentReports.problemInCondition("condition", READY.toBuilder().setSinceUnixMs(Long.MAX_VALUE).build()))
                .hasValueSatisfying(p -> assertThat(p).startsWith("condition.since_unix_ms: must be a Unix time"));
    }
}
