package dev.outpost.hub;

import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.Map;

/** The REST API and store contracts on the embedded H2 database (the default). */
@MicronautTest
class HubApiH2IT extends AbstractHubApiIT {

    @Override
    Map<String, String> databaseProperties() {
        return Map.of();
    }
}
