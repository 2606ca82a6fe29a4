package dev.outpost.hub.deployments.packaged;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.outpost.protocol.v1.DeploymentPlan;
import dev.outpost.protocol.v1.InfrastructureRequirement;
import dev.outpost.protocol.v1.PlanStep;
import dev.outpost.protocol.v1.RenderedObjects;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class PlanObjectsTest {

    @Test
    void stepsAreReadBackAsObjectsAndInfrastructureItems() throws Exception {
        DeploymentPlan plan = DeploymentPlan.newBuilder()
                .addSteps(PlanStep.newBuilder().setName("pool").setInfrastructure(InfrastructureRequirement.newBuilder()
                        .setKind("nodePool").setName("gpu").putProperties("gpus", "1")))
                .addSteps(objects("app", "apiVersion: v1\nkind: Secret\nmetadata: {name: auth, namespace: ns}\n"
                        + "data: {password: aHVudGVyMg==}\nstringData: {token: t0ken}\n---\n"))
                .build();

        List<PlannedObject> objects = PlanObjects.of(plan);

        assertThat(objects).extracting(PlannedObject::key).containsExactly(
                "outpost.dev/infrastructure/nodePool//gpu", "v1/Secret/ns/auth");
        assertThat(objects.getFirst().body()).isEqualTo(Map.of("gpus", "1"));
        Map<String, Object> shown = Redaction.shown(objects.get(1));
        assertThat(shown.get("data")).isEqualTo(Map.of("password", Redaction.REDACTED));
        assertThat(shown.get("stringData")).isEqualTo(Map.of("token", Redaction.REDACTED));
        assertThat(shown.toString()).doesNotContain("aHVudGVyMg==", "t0ken");
        assertThat(objects.get(1).body().get("stringData")).as("the object itself is not changed")
                .isEqualTo(Map.of("token", "t0ken"));
    }

    @Test
    void objectsOtherThanSecretsAreShownAsRendered() throws Exception {
        PlannedObject config = PlanObjects.parse("s", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
                + "data: {password: visible}\n").getFirst();
        assertThat(Redaction.shown(config)).isSameAs(config.body());
    }

    @Test
    void aPlanThatIsNotYamlOrNotGzipIsRefusedNamingTheStep() throws Exception {
        assertThatThrownBy(() -> PlanObjects.of(DeploymentPlan.newBuilder().addSteps(objects("bad", "a: [unclosed")).build()))
                .isInstanceOf(PlanObjects.UnreadablePlanException.class).hasMessageContaining("step bad");
        assertThatThrownBy(() -> PlanObjects.of(DeploymentPlan.newBuilder().addSteps(PlanStep.newBuilder().setName("raw")
                        .setObjects(RenderedObjects.newBuilder().setYamlGzip(ByteString.copyFromUtf8("plain")))).build()))
                .isInstanceOf(PlanObjects.UnreadablePlanException.class).hasMessageContaining("not gzip");
    }

    private static PlanStep.Builder objects(String name, String yaml) throws IOException {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(yaml.getBytes(StandardCharsets.UTF_8));
        }
        return PlanStep.newBuilder().setName(name).setObjects(RenderedObjects.newBuilder()
                .setYamlGzip(ByteString.copyFrom(gz.toByteArray())).setYamlBytes(yaml.length()));
    }
}
