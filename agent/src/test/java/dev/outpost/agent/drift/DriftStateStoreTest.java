package dev.outpost.agent.drift;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DriftStateStoreTest {
    @TempDir
    Path stateDir;

    private static final AppliedObject SECRET = AppliedObject.of(Map.of("apiVersion", "v1", "kind", "Secret",
            "metadata", Map.of("name", "auth", "namespace", "ns", "labels", Map.of("outpost.dev/deployment", "dep-1")),
            "stringData", Map.of("password", "s3cret"), "spec", Map.of("list", List.of(1, 2))));

    @Test
    void aDeploymentsStateSurvivesARestartAsWritten() throws IOException {
        DriftEntry gone = DriftEntry.of(SECRET.ref(), DriftEntry.Change.DELETED, List.of(), 1234).asHealed();
        TrackedDeployment tracked = new TrackedDeployment("dep-1", TrackedDeployment.Policy.HEAL, List.of(SECRET),
                List.of(gone), true);

        new DriftStateStore(stateDir).save(tracked);

        assertThat(new DriftStateStore(stateDir).all()).containsExactly(tracked);
    }

    @Test
    void theFileIsTheAgentsOnlySinceItHoldsSecretValues() throws IOException {
        new DriftStateStore(stateDir).save(new TrackedDeployment("dep-1", TrackedDeployment.Policy.REPORT,
                List.of(SECRET), List.of(), true));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(stateDir.resolve("drift/dep-1.json"))))
                .isEqualTo("rw-------");
    }

    @Test
    void anUnreadableFileIsSkippedAndARemovedOneIsGone() throws IOException {
        DriftStateStore store = new DriftStateStore(stateDir);
        store.save(new TrackedDeployment("dep-1", TrackedDeployment.Policy.REPORT, List.of(), List.of(), false));
        Files.writeString(stateDir.resolve("drift/dep-2.json"), "{not json");

        assertThat(store.all()).extracting(TrackedDeployment::deploymentId).containsExactly("dep-1");

        store.remove("dep-1");
        assertThat(store.all()).isEmpty();
    }

    // What agents released before the stores shared JsonFileStore wrote: state dirs upgraded in place hold it.
    private static final String FILE_ON_DISK = """
            {"deploymentId":"dep-1","policy":"HEAL","objects":[{"apiVersion":"v1","kind":"Secret","namespace":"ns",\
            "name":"auth","body":{"stringData":{"password":"s3cret"}}}],"drift":[{"apiVersion":"v1","kind":"Secret",\
            "namespace":"ns","name":"auth","change":"MODIFIED","fields":["stringData.password"],"detectedAtMs":1234,\
            "healed":false}],"reported":true}""";

    @Test
    void readsAndWritesTheFormatAgentsAlreadyHaveOnDisk() throws IOException {
        // one key per map, so that the written file has one order to compare with
        AppliedObject secret = new AppliedObject("v1", "Secret", "ns", "auth",
                Map.of("stringData", Map.of("password", "s3cret")));
        TrackedDeployment tracked = new TrackedDeployment("dep-1", TrackedDeployment.Policy.HEAL, List.of(secret),
                List.of(DriftEntry.of(secret.ref(), DriftEntry.Change.MODIFIED, List.of("stringData.password"), 1234)),
                true);
        Files.createDirectories(stateDir.resolve("drift"));
        Files.writeString(stateDir.resolve("drift/dep-1.json"), FILE_ON_DISK);
        DriftStateStore store = new DriftStateStore(stateDir);

        assertThat(store.all()).containsExactly(tracked);

        store.save(tracked);
        assertThat(stateDir.resolve("drift/dep-1.json")).hasContent(FILE_ON_DISK);
    }
}
