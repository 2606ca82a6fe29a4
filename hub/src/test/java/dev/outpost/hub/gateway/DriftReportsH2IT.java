package dev.outpost.hub.gateway;

import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.Map;

/** Drift reports over a real stream into the embedded H2 database (the default). */
@MicronautTest
class DriftReportsH2IT extends AbstractDriftReportsIT {

    @Override
    Map<String, String> databaseProperties() {
        return Map.of();
    }
}
