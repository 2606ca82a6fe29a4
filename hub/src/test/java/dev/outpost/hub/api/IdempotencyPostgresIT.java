package dev.outpost.hub.api;

import dev.outpost.hub.testsupport.PostgresDatabaseExtension;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Idempotency-Key, If-Match and concurrent changes on PostgreSQL, in a database of its own. */
@MicronautTest
class IdempotencyPostgresIT extends AbstractIdempotencyIT {
    @RegisterExtension
    static final PostgresDatabaseExtension DATABASE = new PostgresDatabaseExtension();

    @Override
    Map<String, String> databaseProperties() {
        return DATABASE.hubProperties();
    }
}
