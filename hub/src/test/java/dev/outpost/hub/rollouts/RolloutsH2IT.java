package dev.outpost.hub.rollouts;

import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.Map;

/** Rollouts on the embedded H2 database (the default). */
@MicronautTest
class RolloutsH2IT extends AbstractRolloutsIT {

    @Override
    Map<String, String> databaseProperties() {
        return Map.of();
    }
}
