package dev.outpost.hub.rollouts;

import dev.outpost.hub.testsupport.PostgresDatabaseExtension;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Rollouts on PostgreSQL, in a database of its own. */
@MicronautTest
class RolloutsPostgresIT extends AbstractRolloutsIT {
    @RegisterExtension
    static final PostgresDatabaseExtension DATABASE = new PostgresDatabaseExtension();

    @Override
    Map<String, String> databaseProperties() {
        return DATABASE.hubProperties();
    }
}
