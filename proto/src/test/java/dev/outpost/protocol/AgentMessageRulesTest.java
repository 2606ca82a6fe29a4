package dev.outpost.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.outpost.protocol.v1.AppliedDeployment;
import dev.outpost.protocol.v1.ClusterFacts;
import dev.outpost.protocol.v1.EnrollRequest;
import dev.outpost.protocol.v1.Hello;
import org.junit.jupiter.api.Test;

class AgentMessageRulesTest {

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

    private static Hello.Builder hello(String version) {
        return Hello.newBuilder().setAgentVersion(version).setProtocolRevision(1)
                .setCluster(ClusterFacts.newBuilder().setKubernetesVersion("v1.36.3").setNodeCount(1).setPlatform("kind"));
    }
}
