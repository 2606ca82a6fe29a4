package dev.outpost.hub.metrics;

import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.Map;

/** Deployment metrics over a real Telemetry stream into the embedded H2 database (the default). */
@MicronautTest
class MetricsIngestH2IT extends AbstractMetricsIngestIT {

    @Override
    Map<String, String> databaseProperties() {
        return Map.of();
    }
}
