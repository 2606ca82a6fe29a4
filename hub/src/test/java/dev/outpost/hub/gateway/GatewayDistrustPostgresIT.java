package dev.outpost.hub.gateway;

import dev.outpost.hub.testsupport.PostgresTestDatabase;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;

/** The gateway's distrust of agents on PostgreSQL, in a database of its own: what is stored, and what is not. */
@MicronautTest
class GatewayDistrustPostgresIT extends AbstractGatewayDistrustIT {
    private PostgresTestDatabase database;

    @Override
    Map<String, String> databaseProperties() {
        database = PostgresTestDatabase.create();
        return database.hubProperties();
    }

    @Override
    boolean checksTransport() {
        return false; // the H2 variant runs them; they touch no store
    }

    @AfterAll
    void dropDatabase() {
        if (database != null) {
            database.drop();
        }
    }
}
