package dev.outpost.hub.releases;

import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.Map;

/** Deprecating and yanking releases on the embedded H2 database (the default). */
@MicronautTest
class ReleaseLifecycleH2IT extends AbstractReleaseLifecycleIT {

    @Override
    Map<String, String> databaseProperties() {
        return Map.of();
    }
}
