package dev.outpost.hub.deployments.packaged;

import dev.outpost.hub.testsupport.PostgresTestDatabase;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;

/** Package deployments on PostgreSQL, in a database of its own. */
@MicronautTest
class PackageDeploymentPostgresIT extends AbstractPackageDeploymentIT {
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
