package dev.outpost.hub.gateway;

import dev.outpost.hub.testsupport.PostgresDatabaseExtension;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The gateway's distrust of agents on PostgreSQL, in a database of its own: what is stored, and what is not. */
@MicronautTest
class GatewayDistrustPostgresIT extends AbstractGatewayDistrustIT {
    @RegisterExtension
    static final PostgresDatabaseExtension DATABASE = new PostgresDatabaseExtension();

    @Override
    Map<String, String> databaseProperties() {
        return DATABASE.hubProperties();
    }

    @Override
    boolean checksTransport() {
        return false; // the H2 variant runs them; they touch no store
    }
}
