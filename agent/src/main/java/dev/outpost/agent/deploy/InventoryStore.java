package dev.outpost.agent.deploy;

import dev.outpost.agent.model.Inventory;
import dev.outpost.agent.state.JsonFileStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Keeps each deployment's {@link Inventory} as {@code <stateDir>/deployments/<id>.json}, replaced atomically. */
final class InventoryStore {
    private static final Logger LOG = LoggerFactory.getLogger(InventoryStore.class);

    private final JsonFileStore<Inventory> files;

    InventoryStore(Path stateDir) {
        this.files = new JsonFileStore<>(stateDir.resolve("deployments"), Inventory.class,
                JsonFileStore.Contents.PLAIN, LOG, "inventory", "inventories");
    }

    /**
     * The deployment's inventory; {@link Inventory#none} when there is none or it cannot be read (the
     * executor then also finds the deployment's objects by label).
     */
    Inventory load(String deploymentId) {
        return files.load(deploymentId).orElseGet(() -> Inventory.none(deploymentId));
    }

    /** Every readable inventory. */
    List<Inventory> all() {
        return files.all();
    }

    void save(Inventory inventory) throws IOException {
        files.save(inventory.deploymentId(), inventory);
    }

    void remove(String deploymentId) throws IOException {
        files.remove(deploymentId);
    }
}
