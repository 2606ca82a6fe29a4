package dev.outpost.agent.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.agent.model.Inventory;
import dev.outpost.agent.model.ObjectRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InventoryStoreTest {
    @TempDir
    Path stateDir;

    @Test
    void keepsInventoriesAcrossInstances() throws IOException {
        Inventory inventory = Inventory.none("dep-1").appliedAs(2, "sha256:ab",
                List.of(new ObjectRef("v1", "ConfigMap", "shop", "redis-config"),
                        new ObjectRef("apps/v1", "StatefulSet", "shop", "redis")));
        new InventoryStore(stateDir).save(inventory);

        InventoryStore reopened = new InventoryStore(stateDir);

        assertThat(reopened.load("dep-1")).isEqualTo(inventory);
        assertThat(reopened.all()).containsExactly(inventory);
        assertThat(stateDir.resolve("deployments")).isDirectoryContaining(path -> path.endsWith("dep-1.json"));
        try (var files = Files.list(stateDir.resolve("deployments"))) {
            assertThat(files).hasSize(1);
        }
    }

    @Test
    void unknownOrUnreadableInventoryIsNone() throws IOException {
        InventoryStore store = new InventoryStore(stateDir);
        assertThat(store.load("dep-1")).isEqualTo(Inventory.none("dep-1"));

        Files.createDirectories(stateDir.resolve("deployments"));
        Files.writeString(stateDir.resolve("deployments/dep-2.json"), "{not json");
        assertThat(store.load("dep-2")).isEqualTo(Inventory.none("dep-2"));
        assertThat(store.all()).isEmpty();
    }

    @Test
    void removeForgetsTheDeployment() throws IOException {
        InventoryStore store = new InventoryStore(stateDir);
        store.save(Inventory.none("dep-1").appliedAs(1, "sha256:ab", List.of()));
        store.remove("dep-1");
        store.remove("dep-1");
        assertThat(store.all()).isEmpty();
    }

    // What agents released before the stores shared JsonFileStore wrote: state dirs upgraded in place hold it.
    private static final String FILE_ON_DISK = """
            {"deploymentId":"dep-1","generation":2,"contentHash":"sha256:ab",\
            "objects":[{"apiVersion":"v1","kind":"ConfigMap","namespace":"shop","name":"redis-config"}]}""";

    @Test
    void readsAndWritesTheFormatAgentsAlreadyHaveOnDisk() throws IOException {
        Inventory inventory = Inventory.none("dep-1").appliedAs(2, "sha256:ab",
                List.of(new ObjectRef("v1", "ConfigMap", "shop", "redis-config")));
        Files.createDirectories(stateDir.resolve("deployments"));
        Files.writeString(stateDir.resolve("deployments/dep-1.json"), FILE_ON_DISK);
        InventoryStore store = new InventoryStore(stateDir);

        assertThat(store.load("dep-1")).isEqualTo(inventory);

        store.save(inventory);
        assertThat(stateDir.resolve("deployments/dep-1.json")).hasContent(FILE_ON_DISK);
    }
}
