package dev.outpost.hub.releases;

import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.Map;

/** Publishing packages on the embedded H2 database (the default). */
@MicronautTest
class PackagePublishingH2IT extends AbstractPackagePublishingIT {

    @Override
    Map<String, String> databaseProperties() {
        return Map.of();
    }
}
