package dev.outpost.agent.state;

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
import java.util.Optional;
import org.slf4j.Logger;

/**
 * A folder in the state dir with one JSON file per deployment ({@code <id>.json}), each replaced
 * atomically, so that a crash leaves the old or the new file, never half of one.
 */
public final class JsonFileStore<T> {
    /**
     * What the files hold: it decides how much of a bad one is logged. Both kinds are written the
     * same way: owner-only, forced to disk before the rename (OwnerOnlyFiles).
     */
    public enum Contents {
        /** Nothing secret: a parser message about a bad file is logged in full. */
        PLAIN,
        /** Secret values: no parser message in the log, since it may quote the file. */
        SECRET
    }

    private static final String SUFFIX = ".json";
    /** Far above any inventory or step record the agent writes (a plan's objects are bounded by the protocol). */
    static final long MAX_FILE_BYTES = 64L * 1024 * 1024;
    // Records also write derived getters (StepRecord's "infrastructure"), and an agent must read what an
    // older or newer one wrote: unknown fields are skipped.
    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    private final Path directory;
    private final Class<T> type;
    private final Contents contents;
    private final Logger log;
    private final String one;
    private final String many;

    /**
     * @param log the owning store's logger, so that its warnings keep their category
     * @param one what one file holds, for the log ("inventory")
     * @param many what the folder holds, for the log ("inventories")
     */
    public JsonFileStore(Path directory, Class<T> type, Contents contents, Logger log, String one, String many) {
        this.directory = directory;
        this.type = type;
        this.contents = contents;
        this.log = log;
        this.one = one;
        this.many = many;
    }

    /** The deployment's value; empty when it has no file or the file cannot be read. */
    public Optional<T> load(String deploymentId) {
        return read(file(deploymentId));
    }

    /** Every readable value; an unreadable file is logged and skipped. */
    public List<T> all() {
        List<T> all = new ArrayList<>();
        if (!Files.isDirectory(directory)) {
            return all;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
            files.forEach(file -> read(file).ifPresent(all::add));
        } catch (IOException e) {
            log.warn("cannot list {} in {}: {}", many, directory, e.toString());
        }
        return all;
    }

    /** Replaces the deployment's value, durably (fsynced before it becomes visible; see OwnerOnlyFiles). */
    public void save(String deploymentId, T value) throws IOException {
        OwnerOnlyFiles.createDirectory(directory);
        OwnerOnlyFiles.write(file(deploymentId), JSON.writeValueAsBytes(value));
    }

    public void remove(String deploymentId) throws IOException {
        Files.deleteIfExists(file(deploymentId));
    }

    private Optional<T> read(Path file) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                // Written by something other than the agent: reading it whole could exhaust the heap.
                log.warn("ignoring {} {}: {} bytes, more than the {} bytes the agent ever writes", one, file, size,
                        MAX_FILE_BYTES);
                return Optional.empty();
            }
            return Optional.of(JSON.readValue(file.toFile(), type));
        } catch (IOException | UncheckedIOException e) {
            if (contents == Contents.SECRET) {
                log.warn("ignoring unreadable {} {} ({}{})", one, file, e.getClass().getSimpleName(),
                        e instanceof JsonProcessingException json && json.getLocation() != null
                                ? " at line " + json.getLocation().getLineNr() + ", column "
                                        + json.getLocation().getColumnNr() : "");
            } else {
                log.warn("ignoring unreadable {} {}: {}", one, file, e.toString());
            }
            return Optional.empty();
        }
    }

    // deployment ids are label values, checked before they get here, so they are safe file names
    private Path file(String deploymentId) {
        return directory.resolve(deploymentId + SUFFIX);
    }
}
