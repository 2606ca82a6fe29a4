package dev.outpost.hub.gateway;

import dev.outpost.hub.testsupport.PostgresDatabaseExtension;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Certificate renewal on PostgreSQL, in a database of its own. */
@MicronautTest
class CertificateRenewalPostgresIT extends AbstractCertificateRenewalIT {
    @RegisterExtension
    static final PostgresDatabaseExtension DATABASE = new PostgresDatabaseExtension();

    @Override
    Map<String, String> databaseProperties() {
        return DATABASE.hubProperties();
    }
}
