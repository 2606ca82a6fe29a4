package dev.outpost.hub.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.hub.testsupport.Api;
import dev.outpost.hub.testsupport.PostgresDatabaseExtension;
import dev.outpost.hub.testsupport.PostgresTestDatabase;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * /health as docs/api.md describes it: UP (200) while the hub reaches its database, DOWN (503) as
 * soon as it cannot, and never a detail (URL, user, disk) for the anonymous caller. PostgreSQL,
 * because its database can be taken away from a running hub.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HealthPostgresIT implements TestPropertyProvider {
    @RegisterExtension
    static final PostgresDatabaseExtension DATABASE = new PostgresDatabaseExtension();

    @Inject
    EmbeddedServer server;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> props = new HashMap<>(DATABASE.hubProperties());
        try {
            props.put("outpost.data-dir", Files.createTempDirectory("outpost-health-it").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        props.put("outpost.admin-token", "opa_" + "health-it".repeat(4));
        props.put("micronaut.server.port", "-1");
        props.put("outpost.grpc-port", "0");
        // A lost database must show within seconds, not after the pool's 10 s wait per check.
        props.put("datasources.default.connection-timeout", "2000");
        return props;
    }

    @Test
    void reportsTheDatabaseAsUpOrDownWithoutDetails() {
        Api api = new Api(server.getURI());
        Api.Response up = api.get("/health", null);
        assertThat(up.status()).as(up.toString()).isEqualTo(200);
        assertThat(up.json().get("status").asText()).isEqualTo("UP");
        assertThat(up.json().path("details").isNull() || up.json().path("details").isMissingNode()).as(up.toString()).isTrue();

        DATABASE.database().refuseConnections();
        try {
            await("/health DOWN").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> api.get("/health", null).status() == 503);
            Api.Response down = api.get("/health", null);
            assertThat(down.json().get("status").asText()).as(down.toString()).isEqualTo("DOWN");
            assertThat(down.raw().body()).doesNotContain("jdbc:", "postgresql", PostgresTestDatabase.USER + "@",
                    "Exception");
        } finally {
            DATABASE.database().allowConnections();
        }
        await("/health UP again").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> api.get("/health", null).status() == 200);
    }
}
