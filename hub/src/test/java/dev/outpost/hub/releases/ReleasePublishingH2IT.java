package dev.outpost.hub.releases;

import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.Map;

/** Publishing releases on the embedded H2 database (the default). */
@MicronautTest
class ReleasePublishingH2IT extends AbstractReleasePublishingIT {

    @Override
    Map<String, String> databaseProperties() {
        return Map.of();
    }
}
