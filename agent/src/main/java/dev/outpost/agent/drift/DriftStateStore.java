package dev.outpost.agent.drift;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.outpost.agent.identity.OwnerOnlyFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each {@link TrackedDeployment} as {@code <stateDir>/drift/<id>.json}, replaced atomically and
 * readable by the agent's user only: the applied objects include Secrets, whose values a heal needs.
 * Deployment ids are label values (checked before they get here), so they are safe file names.
 */
final class DriftStateStore {
    private static final Logger LOG = LoggerFactory.getLogger(DriftStateStore.class);
    private static final String SUFFIX = ".json";
    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    private final Path directory;

    DriftStateStore(Path stateDir) {
        this.directory = stateDir.resolve("drift");
    }

    /** Every readable state; an unreadable file is skipped (that deployment is watched again after its next apply). */
    List<TrackedDeployment> all() {
        List<TrackedDeployment> all = new ArrayList<>();
        if (!Files.isDirectory(directory)) {
            return all;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
            for (Path file : files) {
                try {
                    all.add(JSON.readValue(file.toFile(), TrackedDeployment.class));
                } catch (IOException | UncheckedIOException e) {
                    // Not the parser's message: it may quote the file, and the file holds Secret values.
                    LOG.warn("ignoring unreadable drift state {} ({}{})", file, e.getClass().getSimpleName(),
                            e instanceof JsonProcessingException json && json.getLocation() != null
                                    ? " at line " + json.getLocation().getLineNr() + ", column "
                                            + json.getLocation().getColumnNr() : "");
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot list drift state in {}: {}", directory, e.toString());
        }
        return all;
    }

    void save(TrackedDeployment deployment) throws IOException {
        OwnerOnlyFiles.createDirectory(directory);
        OwnerOnlyFiles.write(file(deployment.deploymentId()), JSON.writeValueAsBytes(deployment));
    }

    void remove(String deploymentId) throws IOException {
        Files.deleteIfExists(file(deploymentId));
    }

    private Path file(String deploymentId) {
        return directory.resolve(deploymentId + SUFFIX);
    }
}
