package dev.outpost.hub.testsupport;

import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A {@link PostgresTestDatabase} of the test class's own, dropped after its tests: register it as a
 * {@code static} {@code @RegisterExtension} field.
 */
public final class PostgresDatabaseExtension implements AfterAllCallback {
    private PostgresTestDatabase database;

    /**
     * The class's database, created on the first call: Micronaut asks for the hub's properties in its
     * own before-all callback, which runs before any of a field-registered extension.
     */
    public synchronized PostgresTestDatabase database() {
        if (database == null) {
            database = PostgresTestDatabase.create();
        }
        return database;
    }

    /** The hub's properties for the class's database: outpost.db-url, -user and -password. */
    public Map<String, String> hubProperties() {
        return database().hubProperties();
    }

    // Runs after the class's @AfterAll methods, so a hub they stop is gone first, and (being registered
    // after @MicronautTest's extension) before Micronaut closes its context, as the drop always did.
    @Override
    public synchronized void afterAll(ExtensionContext context) {
        if (database != null) {
            database.drop();
            database = null;
        }
    }
}
