package dev.outpost.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.outpost.protocol.v1.AgentCondition;
import dev.outpost.protocol.v1.AgentState;
import dev.outpost.protocol.v1.AppliedDeployment;
import dev.outpost.protocol.v1.ClusterFacts;
import dev.outpost.protocol.v1.EnrollRequest;
import dev.outpost.protocol.v1.Hello;
import java.util.Collections;
import org.junit.jupiter.api.Test;

class AgentMessageRulesTest {
    private static final AgentCondition READY = AgentCondition.newBuilder().setState(AgentState.AGENT_STATE_READY)
            .setSinceUnixMs(1_700_000_000_000L).build();

    @Test
    void helloFieldsFollowTheNameRuleAndTheColumnLimits() {
        assertThat(AgentMessageRules.helloProblem(hello("0.1.0").build())).isEmpty();
        assertThat(AgentMessageRules.helloProblem(hello("v".repeat(100)).build())).isEmpty();
        assertThat(AgentMessageRules.helloProblem(hello("v".repeat(101)).build()))
                .contains("agent_version must be at most 100 characters (has 101)");
        assertThat(AgentMessageRules.helloProblem(hello("1.0\nERROR forged").build()))
                .contains("agent_version must not contain control characters (U+000A at position 3)");
        assertThat(AgentMessageRules.helloProblem(hello("").build())).contains("agent_version is required");
        assertThat(AgentMessageRules.helloProblem(hello("0.1.0")
                .setCluster(ClusterFacts.newBuilder().setKubernetesVersion("k".repeat(101))).build()))
                .contains("cluster.kubernetes_version must be at most 100 characters (has 101)");
    }

    @Test
    void unknownClusterFactsMayBeEmpty() {
        assertThat(AgentMessageRules.helloProblem(Hello.newBuilder().setAgentVersion("0.1.0").build())).isEmpty();
    }

    @Test
    void appliedIsBoundedInCount() {
        Hello.Builder hello = hello("0.1.0");
        for (int i = 0; i < FieldLimits.APPLIED_ENTRIES; i++) {
            hello.addApplied(AppliedDeployment.newBuilder().setDeploymentId("d" + i));
        }
        assertThat(AgentMessageRules.helloProblem(hello.build())).isEmpty();
        assertThat(AgentMessageRules.helloProblem(hello.addApplied(AppliedDeployment.getDefaultInstance()).build()))
                .contains("applied must have at most 1000 entries (has 1001)");
    }

    @Test
    void enrollBoundsTheTokenAndTheCsrBeforeTheNameRule() {
        EnrollRequest ok = EnrollRequest.newBuilder().setJoinToken("jt_1.secret").setAgentVersion("0.1.0")
                .setCsrDer(ByteString.copyFrom(new byte[300])).build();

        assertThat(AgentMessageRules.enrollProblem(ok)).isEmpty();
        assertThat(AgentMessageRules.enrollProblem(ok.toBuilder().setJoinToken("t".repeat(257)).build()))
                .contains("join_token must be at most 256 characters (has 257)");
        assertThat(AgentMessageRules.enrollProblem(ok.toBuilder().setCsrDer(ByteString.copyFrom(new byte[8193])).build()))
                .contains("csr_der must be at most 8192 bytes (has 8193)");
        assertThat(AgentMessageRules.enrollProblem(ok.toBuilder().setAgentVersion("v\u202e1").build()))
                .contains("agent_version must not contain invisible format characters (U+202E at position 1)");
    }

    @Test
    void commandIdsAreIdsTheHubCouldHaveIssued() {
        assertThat(AgentMessageRules.commandIdProblem("result.command_id", "cmd_abc")).isEmpty();
        assertThat(AgentMessageRules.commandIdProblem("result.command_id", "c".repeat(65)))
                .contains("result.command_id must be at most 64 characters (has 65)");
    }

    @Test
    void allowedNamespacesAndConditionWithinTheLimitsPass() {
        assertThat(AgentMessageRules.helloProblem(hello("0.1.0").addAllowedNamespaces("apps").addAllowedNamespaces("data")
                .setCondition(READY).build())).isEmpty();
        assertThat(AgentMessageRules.helloProblem(hello("0.1.0").build())).isEmpty(); // an older agent tells neither
    }

    @Test
    void allowedNamespacesAreBoundedValidAndDistinct() {
        assertThat(AgentMessageRules.helloProblem(hello("0.1.0")
                .addAllAllowedNamespaces(Collections.nCopies(101, "apps")).build()))
                .hasValue("allowed_namespaces: at most 100 entries, got 101");
        assertThat(AgentMessageRules.helloProblem(hello("0.1.0").addAllowedNamespaces("apps")
                .addAllowedNamespaces("Bad\nName").build()))
                .hasValue("allowed_namespaces[1]: must be a DNS-1123 label, got Bad\\u000aName");
        assertThat(AgentMessageRules.helloProblem(hello("0.1.0").addAllowedNamespaces("apps")
                .addAllowedNamespaces("apps").build())).hasValue("allowed_namespaces[1]: apps is listed twice");
    }

    @Test
    void aConditionNamesTheFieldThatIsWrong() {
        assertThat(AgentMessageRules.conditionProblem("heartbeat.condition", AgentCondition.newBuilder()
                .setSinceUnixMs(1).build())).hasValue("heartbeat.condition.state: must be AGENT_STATE_READY or "
                + "AGENT_STATE_DEGRADED, got 0");
        assertThat(AgentMessageRules.conditionProblem("condition", AgentCondition.newBuilder()
                .setState(AgentState.AGENT_STATE_DEGRADED).setReason("line\nforged").setSinceUnixMs(1).build()))
                .hasValueSatisfying(p -> assertThat(p).startsWith("condition.reason: must not contain control characters"));
        assertThat(AgentMessageRules.conditionProblem("condition", AgentCondition.newBuilder()
                .setState(AgentState.AGENT_STATE_DEGRADED).setReason("x".repeat(501)).setSinceUnixMs(1).build()))
                .hasValue("condition.reason: must be at most 500 characters (has 501)");
        assertThat(AgentMessageRules.conditionProblem("condition", AgentCondition.newBuilder()
                .setState(AgentState.AGENT_STATE_DEGRADED).setSinceUnixMs(1).build()))
                .hasValue("condition.reason: is required");
        assertThat(AgentMessageRules.conditionProblem("condition", READY.toBuilder().setSinceUnixMs(Long.MAX_VALUE).build()))
                .hasValueSatisfying(p -> assertThat(p).startsWith("condition.since_unix_ms: must be a Unix time"));
        assertThat(AgentMessageRules.helloProblem(hello("0.1.0").setCondition(READY.toBuilder().setReason("x")).build()))
                .hasValue("condition.reason: must be empty when the state is AGENT_STATE_READY");
    }

    private static Hello.Builder hello(String version) {
        return Hello.newBuilder().setAgentVersion(version).setProtocolRevision(1)
                .setCluster(ClusterFacts.newBuilder().setKubernetesVersion("v1.36.3").setNodeCount(1).setPlatform("kind"));
    }
}
