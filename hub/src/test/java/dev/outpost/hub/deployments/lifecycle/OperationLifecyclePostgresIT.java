package dev.outpost.hub.deployments.lifecycle;

import dev.outpost.hub.testsupport.PostgresTestDatabase;
import java.util.Map;

/** The operation lifecycle on PostgreSQL, in a database of its own kept across the restart. */
class OperationLifecyclePostgresIT extends AbstractOperationLifecycleIT {
    private PostgresTestDatabase database;

    @Override
    Map<String, String> databaseProperties() {
        database = PostgresTestDatabase.create();
        return database.hubProperties();
    }

    @Override
    void afterHubStopped() {
        if (database != null) {
            database.drop();
        }
    }
}
