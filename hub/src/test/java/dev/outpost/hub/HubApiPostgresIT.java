package dev.outpost.hub;

import dev.outpost.hub.testsupport.PostgresTestDatabase;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;

/** The REST API and store contracts on PostgreSQL, in a database of its own. */
@MicronautTest
class HubApiPostgresIT extends AbstractHubApiIT {
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
