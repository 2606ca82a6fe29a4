package dev.outpost.agent.logs;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.outpost.agent.state.DurableFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code <state>/log-positions.json}: per source its acknowledged and sent positions, replaced
 * atomically and durably (DurableFiles: fsynced before the rename), so that after a crash the file
 * holds the positions of the last write that returned. Bounded: at most {@link #MAX_SOURCES} entries.
 */
public final class LogPositionStore {
    /** The file's name in the state folder. */
    public static final String FILE = "log-positions.json";
    /** Most sources kept (twice the largest --log-max-sources: sources gone but not yet acknowledged). */
    static final int MAX_SOURCES = 20_000;
    private static final int MAX_FILE_BYTES = 16 * 1024 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(LogPositionStore.class);
    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    /** The file's shape. */
    record Contents(List<StoredSource> sources) {
    }

    private final Path file;

    public LogPositionStore(Path stateDir) {
        this.file = stateDir.resolve(FILE);
    }

    /** The stored sources by key; none when the file is missing or unreadable (then sources are read from their start). */
    public Map<String, StoredSource> load() {
        Map<String, StoredSource> byKey = new LinkedHashMap<>();
        if (!Files.exists(file)) {
            return byKey;
        }
        try {
            Contents contents = JSON.readValue(DurableFiles.readBounded(file, MAX_FILE_BYTES), Contents.class);
            if (contents.sources() != null) {
                contents.sources().stream().filter(stored -> stored != null && stored.source() != null)
                        .limit(MAX_SOURCES).forEach(stored -> byKey.put(stored.source().key(), stored));
            }
        } catch (IOException e) {
            // logs only: the worst is reading sources again from their start, which the hub dedups
            LOG.warn("ignoring unreadable log positions {}: {}", file, e.toString());
        }
        return byKey;
    }

    /** Replaces the file with these sources (at most MAX_SOURCES of them), durably. */
    public void save(Collection<StoredSource> sources) throws IOException {
        Files.createDirectories(file.getParent());
        DurableFiles.write(file, JSON.writeValueAsBytes(new Contents(sources.stream().limit(MAX_SOURCES).toList())));
    }
}
