package dev.outpost.agent.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogPositionStoreTest {
    private static final FollowedSource WEB = new FollowedSource("dep-1", "apps", "web-0", "uid-web", "web");

    @TempDir
    Path stateDir;

    @Test
    void positionsSurviveAReopen() throws Exception {
        LogPositionStore store = new LogPositionStore(stateDir);
        store.save(List.of(new StoredSource(WEB, new LinePosition(10, 0), new LinePosition(12, 3)),
                new StoredSource(new FollowedSource("dep-2", "db", "db-0", "uid-db", "db"), null, new LinePosition(5, 1))));

        var loaded = new LogPositionStore(stateDir).load();

        assertThat(loaded).containsOnlyKeys("uid-web/web", "uid-db/db");
        assertThat(loaded.get("uid-web/web")).isEqualTo(new StoredSource(WEB, new LinePosition(10, 0), new LinePosition(12, 3)));
        assertThat(loaded.get("uid-db/db").acked()).isNull();
        assertThat(Files.getPosixFilePermissions(stateDir.resolve(LogPositionStore.FILE)))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void aMissingOrUnreadableFileMeansReadingFromTheStart() throws Exception {
        assertThat(new LogPositionStore(stateDir).load()).isEmpty();
        Files.writeString(stateDir.resolve(LogPositionStore.FILE), "{not json");
        assertThat(new LogPositionStore(stateDir).load()).isEmpty();
    }
}
