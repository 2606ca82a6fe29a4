package dev.outpost.agent.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class JsonFileStoreTest {
    record Value(String name, int count) {
    }

    @TempDir
    Path stateDir;

    private JsonFileStore<Value> store(Path folder) {
        return new JsonFileStore<>(folder, Value.class, JsonFileStore.Contents.PLAIN,
                LoggerFactory.getLogger(JsonFileStoreTest.class), "value", "values");
    }

    @Test
    void savedValuesAreReadBackOwnerOnlyAndLeaveNoTemporaryFiles() throws IOException {
        Path folder = stateDir.resolve("values");
        JsonFileStore<Value> store = store(folder);
        store.save("d1", new Value("a", 1));
        store.save("d1", new Value("b", 2));
        store.save("d2", new Value("c", 3));

        assertThat(store.load("d1")).contains(new Value("b", 2));
        assertThat(store.all()).containsExactlyInAnyOrder(new Value("b", 2), new Value("c", 3));
        try (var files = Files.list(folder)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder("d1.json", "d2.json");
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder.resolve("d1.json"))))
                .isEqualTo("rw-------");
    }

    @Test
    void aFileLargerThanTheAgentEverWritesIsIgnoredNotRead() throws IOException {
        Path folder = stateDir.resolve("values");
        JsonFileStore<Value> store = store(folder);
        store.save("big", new Value("a", 1));
        try (RandomAccessFile file = new RandomAccessFile(folder.resolve("big.json").toFile(), "rw")) {
            file.setLength(JsonFileStore.MAX_FILE_BYTES + 1); // sparse: nothing is actually written
        }

        assertThat(store.load("big")).isEmpty();
        assertThat(store.all()).isEmpty();
    }
}
