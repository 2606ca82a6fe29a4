package dev.outpost.agent.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.outpost.agent.model.Inventory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each deployment's {@link Inventory} as {@code <stateDir>/deployments/<id>.json}. Files are
 * replaced atomically (written to a temporary file, then moved over), so a crash leaves either the
 * old or the new inventory, never half of one. Deployment ids are label values (checked before they
 * get here), so they are safe file names.
 */
final class InventoryStore {
    private static final Logger LOG = LoggerFactory.getLogger(InventoryStore.class);
    private static final String SUFFIX = ".json";
    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    private final Path directory;

    InventoryStore(Path stateDir) {
        this.directory = stateDir.resolve("deployments");
    }

    /**
     * The deployment's inventory; {@link Inventory#none} when there is none or it cannot be read (the
     * executor then also finds the deployment's objects by label).
     */
    Inventory load(String deploymentId) {
        return read(file(deploymentId)).orElseGet(() -> Inventory.none(deploymentId));
    }

    /** Every readable inventory. */
    List<Inventory> all() {
        List<Inventory> all = new ArrayList<>();
        if (!Files.isDirectory(directory)) {
            return all;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
            files.forEach(file -> read(file).ifPresent(all::add));
        } catch (IOException e) {
            LOG.warn("cannot list inventories in {}: {}", directory, e.toString());
        }
        return all;
    }

    void save(Inventory inventory) throws IOException {
        Files.createDirectories(directory);
        Path target = file(inventory.deploymentId());
        Path temporary = Files.createTempFile(directory, inventory.deploymentId(), ".tmp");
        try {
            JSON.writeValue(temporary.toFile(), inventory);
            try {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    void remove(String deploymentId) throws IOException {
        Files.deleteIfExists(file(deploymentId));
    }

    private Optional<Inventory> read(Path file) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(file.toFile(), Inventory.class));
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("ignoring unreadable inventory {}: {}", file, e.toString());
            return Optional.empty();
        }
    }

    private Path file(String deploymentId) {
        return directory.resolve(deploymentId + SUFFIX);
    }
}
