package dev.outpost.hub.config;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micronaut.context.ApplicationContext;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hub refuses to start with settings that cannot work, and says which. */
class InvalidConfigStartupIT {

    @Test
    void startupFailsNamingTheKeysThatCannotWork(@TempDir Path dataDir) {
        Map<String, Object> props = Map.of("outpost.data-dir", dataDir.toString(), "outpost.grpc-port", "0",
                "micronaut.server.port", "-1",
                "outpost.heartbeat-interval", "20s", "outpost.offline-after", "30s");

        assertThatThrownBy(() -> ApplicationContext.run(props).close())
                .rootCause()
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Invalid hub configuration: outpost.heartbeat-interval (PT20S) must be at most half of "
                        + "outpost.offline-after (PT30S)");
    }
}
