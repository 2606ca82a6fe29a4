package dev.outpost.hub.deployments;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.outpost.protocol.release.ContentHash;
import dev.outpost.protocol.v1.AppliedDeployment;
import dev.outpost.protocol.v1.ApplyDeployment;
import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.DeploymentPlan;
import dev.outpost.protocol.v1.PlanStep;
import dev.outpost.protocol.v1.RenderedObjects;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** The hash the hub expects after a plan is the one docs/agent-plans.md says the agent reports. */
class PlanContentHashTest {
    private static final String YAML = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n";

    @Test
    void aPlansAppliedHashIsOverEachStepsNameAndInput() throws IOException {
        DeploymentPlan plan = DeploymentPlan.newBuilder()
                .addSteps(PlanStep.newBuilder().setName("redis").setInputHash("sha256:aa").setObjects(objects()))
                .addSteps(PlanStep.newBuilder().setName("extra").setObjects(objects()))
                .build();
        Command command = Command.newBuilder().setCommandId("cmd_1").setDeploymentId("dep_1").setGeneration(3)
                .setApply(ApplyDeployment.newBuilder().setPlan(plan).setNamespace("op-shop")).build();
        String expected = ContentHash.of("redis sha256:aa\nextra " + ContentHash.of(YAML) + "\n");

        assertThat(AppliedClaims.expectedHash(command)).isEqualTo(expected);
        assertThat(AppliedClaims.resultProblem(command, AppliedDeployment.newBuilder().setDeploymentId("dep_1")
                .setGeneration(3).setContentHash(expected).build())).isEmpty();
        assertThat(AppliedClaims.resultProblem(command, AppliedDeployment.newBuilder().setDeploymentId("dep_1")
                .setGeneration(3).setContentHash(ContentHash.of("")).build())).isPresent();
    }

    private static RenderedObjects objects() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(YAML.getBytes(StandardCharsets.UTF_8));
        }
        return RenderedObjects.newBuilder().setYamlGzip(ByteString.copyFrom(out.toByteArray()))
                .setYamlBytes(YAML.length()).build();
    }
}
