package dev.outpost.hub.access;

import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.Map;

/** The access matrix on the embedded H2 database (the default). */
@MicronautTest
class AccessMatrixH2IT extends AbstractAccessMatrixIT {

    @Override
    Map<String, String> databaseProperties() {
        return Map.of();
    }
}
