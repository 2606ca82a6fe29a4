package dev.outpost.hub.deployments.lifecycle;

import dev.outpost.hub.testsupport.PostgresDatabaseExtension;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The operation lifecycle on PostgreSQL, in a database of its own kept across the restart. */
class OperationLifecyclePostgresIT extends AbstractOperationLifecycleIT {
    // dropped after the base class's @AfterAll has stopped the hub
    @RegisterExtension
    static final PostgresDatabaseExtension DATABASE = new PostgresDatabaseExtension();

    @Override
    Map<String, String> databaseProperties() {
        return DATABASE.hubProperties();
    }
}
