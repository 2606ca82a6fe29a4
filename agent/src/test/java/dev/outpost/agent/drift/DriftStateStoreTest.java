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
}
