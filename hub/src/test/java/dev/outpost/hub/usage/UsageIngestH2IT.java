package dev.outpost.hub.usage;

import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.Map;

/** Usage over a real Telemetry stream into the embedded H2 database (the default). */
@MicronautTest
class UsageIngestH2IT extends AbstractUsageIngestIT {

    @Override
    Map<String, String> databaseProperties() {
        return Map.of();
    }
}
