package dev.outpost.hub.api;

import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.Map;

/** Idempotency-Key, If-Match and concurrent changes on embedded H2. */
@MicronautTest
class IdempotencyH2IT extends AbstractIdempotencyIT {
    @Override
    Map<String, String> databaseProperties() {
        return Map.of();
    }
}
