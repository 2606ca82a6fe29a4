package dev.outpost.hub.releases;

import dev.outpost.hub.testsupport.PostgresDatabaseExtension;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Deprecating and yanking releases on PostgreSQL, in a database of its own. */
@MicronautTest
class ReleaseLifecyclePostgresIT extends AbstractReleaseLifecycleIT {
    @RegisterExtension
    static final PostgresDatabaseExtension DATABASE = new PostgresDatabaseExtension();

    @Override
    Map<String, String> databaseProperties() {
        return DATABASE.hubProperties();
    }
}
