package dev.outpost.hub.api;

import dev.outpost.hub.testsupport.PostgresTestDatabase;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;

/** The name rule on PostgreSQL, whose varchar counts code points; in a database of its own. */
@MicronautTest
class NameRulePostgresIT extends AbstractNameRuleIT {
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
