package dev.outpost.hub.metrics;

import dev.outpost.hub.testsupport.PostgresDatabaseExtension;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Deployment metrics over a real Telemetry stream into PostgreSQL, in a database of its own. */
@MicronautTest
class MetricsIngestPostgresIT extends AbstractMetricsIngestIT {
    @RegisterExtension
    static final PostgresDatabaseExtension DATABASE = new PostgresDatabaseExtension();

    @Override
    Map<String, String> databaseProperties() {
        return DATABASE.hubProperties();
    }
}
