package dev.outpost.hub.api;

import dev.outpost.hub.testsupport.PostgresDatabaseExtension;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The name rule on PostgreSQL, whose varchar counts code points; in a database of its own. */
@MicronautTest
class NameRulePostgresIT extends AbstractNameRuleIT {
    @RegisterExtension
    static final PostgresDatabaseExtension DATABASE = new PostgresDatabaseExtension();

    @Override
    Map<String, String> databaseProperties() {
        return DATABASE.hubProperties();
    }
}
