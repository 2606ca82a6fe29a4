package dev.outpost.agent.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StepRecordStoreTest {
    @TempDir
    Path stateDir;

    @Test
    void remembersSucceededStepsAcrossRestartsAndTheirHashesDecideWhatIsUnchanged() throws IOException {
        StepRecordStore store = new StepRecordStore(stateDir);
        DeploymentSteps steps = DeploymentSteps.none("d-1")
                .with(new StepRecord("gpu-pool", "sha256:gpu", "nodePool", "gpu"), "apps", false)
                .with(new StepRecord("inference", "sha256:inf", "", ""), "apps", false);
        store.save(steps);

        DeploymentSteps loaded = new StepRecordStore(stateDir).load("d-1");

        assertThat(loaded).isEqualTo(steps);
        assertThat(loaded.unchanged("gpu-pool", "sha256:gpu", "apps")).isTrue();
        assertThat(loaded.unchanged("gpu-pool", "sha256:gpu-2", "apps")).isFalse();
        assertThat(loaded.unchanged("gpu-pool", "sha256:gpu", "other-namespace")).isFalse();
        assertThat(loaded.unchanged("gpu-pool", "", "apps")).as("no hash, no shortcut").isFalse();
        assertThat(loaded.unchanged("frontend", "sha256:gpu", "apps")).isFalse();
        assertThat(store.all()).containsExactly(steps);
    }

    @Test
    void aFailedStepIsForgottenAndANewNamespaceForgetsEverything() {
        DeploymentSteps steps = DeploymentSteps.none("d-1")
                .with(new StepRecord("a", "sha256:a", "", ""), "apps", false)
                .with(new StepRecord("b", "sha256:b", "", ""), "apps", false);

        assertThat(steps.without("b", "apps", false).succeeded()).extracting(StepRecord::name).containsExactly("a");
        assertThat(steps.without("b", "elsewhere", false).succeeded()).isEmpty();
        DeploymentSteps withInfrastructure = steps.with(new StepRecord("gpu-pool", "sha256:g", "nodePool", "gpu"), "apps", true);
        assertThat(withInfrastructure.without("b", "elsewhere", false).succeeded()).extracting(StepRecord::name)
                .as("infrastructure is outside namespaces").containsExactly("gpu-pool");
        assertThat(withInfrastructure.without("b", "elsewhere", false).ownNamespace())
                .as("the namespace the agent made was another").isFalse();
    }

    @Test
    void stepsAPlanDroppedAreForgottenButTheirInfrastructureIsKeptForDelete() {
        DeploymentSteps steps = DeploymentSteps.none("d-1")
                .with(new StepRecord("gpu-pool", "sha256:gpu", "nodePool", "gpu"), "apps", true)
                .with(new StepRecord("old", "sha256:old", "", ""), "apps", true)
                .with(new StepRecord("app", "sha256:app", "", ""), "apps", true);

        DeploymentSteps kept = steps.keepingOnly(List.of("app"));

        assertThat(kept.succeeded()).extracting(StepRecord::name).containsExactly("gpu-pool", "app");
        assertThat(kept.ownNamespace()).isTrue();
    }

    @Test
    void aMissingOrUnreadableRecordMeansEveryStepIsCarriedOutAgain() throws IOException {
        StepRecordStore store = new StepRecordStore(stateDir);
        assertThat(store.load("d-1")).isEqualTo(DeploymentSteps.none("d-1"));

        Files.createDirectories(stateDir.resolve("plan-steps"));
        Files.writeString(stateDir.resolve("plan-steps/d-1.json"), "{not json");

        assertThat(store.load("d-1")).isEqualTo(DeploymentSteps.none("d-1"));
        store.remove("d-1");
        assertThat(store.all()).isEmpty();
    }

    // What agents released before the stores shared JsonFileStore wrote; "infrastructure" is derived
    // (StepRecord#isInfrastructure) and must keep being ignored when read.
    private static final String FILE_ON_DISK = """
            {"deploymentId":"d-1","namespace":"apps","ownNamespace":true,"succeeded":[\
            {"name":"gpu-pool","inputHash":"sha256:gpu","infrastructureKind":"nodePool","infrastructureName":"gpu",\
            "infrastructure":true},\
            {"name":"app","inputHash":"sha256:app","infrastructureKind":"","infrastructureName":"","infrastructure":false}]}""";

    @Test
    void readsAndWritesTheFormatAgentsAlreadyHaveOnDisk() throws IOException {
        DeploymentSteps steps = DeploymentSteps.none("d-1")
                .with(new StepRecord("gpu-pool", "sha256:gpu", "nodePool", "gpu"), "apps", true)
                .with(new StepRecord("app", "sha256:app", "", ""), "apps", true);
        Files.createDirectories(stateDir.resolve("plan-steps"));
        Files.writeString(stateDir.resolve("plan-steps/d-1.json"), FILE_ON_DISK);
        StepRecordStore store = new StepRecordStore(stateDir);

        assertThat(store.load("d-1")).isEqualTo(steps);
        assertThat(store.all()).containsExactly(steps);

        store.save(steps);
        assertThat(stateDir.resolve("plan-steps/d-1.json")).hasContent(FILE_ON_DISK);
    }
}
