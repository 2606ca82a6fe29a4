package dev.outpost.hub.api;

import dev.outpost.hub.testsupport.PostgresTestDatabase;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;

/** Idempotency-Key, If-Match and concurrent changes on PostgreSQL, in a database of its own. */
@MicronautTest
class IdempotencyPostgresIT extends AbstractIdempotencyIT {
    private PostgresTestDatabase database;

    @Override
    Map<String, String> databaseProperties() {
        database = PostgresTestDatabase.create();
        return database.hubProperties();
    }

    @AfterAll
    void dropDatabase() {
        if (database != null) {
            database.drop();
        }
    }
}
