package dev.outpost.hub.gateway;

import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.Map;

/** Retried enrolments on the embedded H2 database (the default). */
@MicronautTest
class EnrollmentRetryH2IT extends AbstractEnrollmentRetryIT {

    @Override
    Map<String, String> databaseProperties() {
        return Map.of();
    }
}
