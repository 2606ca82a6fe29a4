package dev.outpost.agent.plan;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
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
 * Keeps each deployment's {@link DeploymentSteps} as {@code <stateDir>/plan-steps/<id>.json}, replaced
 * atomically (temporary file, then move) so a crash leaves the old or the new record, never half. A
 * lost or unreadable file only costs a retry its shortcut: every step is carried out again.
 */
public final class StepRecordStore {
    private static final Logger LOG = LoggerFactory.getLogger(StepRecordStore.class);
    private static final String SUFFIX = ".json";
    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    private final Path directory;

    public StepRecordStore(Path stateDir) {
        this.directory = stateDir.resolve("plan-steps");
    }

    /** The deployment's record; {@link DeploymentSteps#none} when there is none or it cannot be read. */
    public DeploymentSteps load(String deploymentId) {
        return read(file(deploymentId)).orElseGet(() -> DeploymentSteps.none(deploymentId));
    }

    /** Every readable record (to see which deployments share an infrastructure item). */
    public List<DeploymentSteps> all() {
        List<DeploymentSteps> all = new ArrayList<>();
        if (!Files.isDirectory(directory)) {
            return all;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
            files.forEach(file -> read(file).ifPresent(all::add));
        } catch (IOException e) {
            LOG.warn("cannot list plan step records in {}: {}", directory, e.toString());
        }
        return all;
    }

    public void save(DeploymentSteps steps) throws IOException {
        Files.createDirectories(directory);
        Path target = file(steps.deploymentId());
        Path temporary = Files.createTempFile(directory, steps.deploymentId(), ".tmp");
        try {
            JSON.writeValue(temporary.toFile(), steps);
            try {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    public void remove(String deploymentId) throws IOException {
        Files.deleteIfExists(file(deploymentId));
    }

    private Optional<DeploymentSteps> read(Path file) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(file.toFile(), DeploymentSteps.class));
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("ignoring unreadable plan step record {}: {}", file, e.toString());
            return Optional.empty();
        }
    }

    // deployment ids are checked label values before they get here, so they are safe file names
    private Path file(String deploymentId) {
        return directory.resolve(deploymentId + SUFFIX);
    }
}
