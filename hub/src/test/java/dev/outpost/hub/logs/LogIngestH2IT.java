package dev.outpost.hub.logs;

import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.Map;

/** Logs over a real Telemetry stream into the embedded H2 database (the default). */
@MicronautTest
class LogIngestH2IT extends AbstractLogIngestIT {

    @Override
    Map<String, String> databaseProperties() {
        return Map.of();
    }
}
