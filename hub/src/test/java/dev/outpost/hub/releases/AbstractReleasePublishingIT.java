package dev.outpost.hub.releases;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.hub.api.Problem;
import dev.outpost.hub.testsupport.Api;
import dev.outpost.protocol.fixtures.ReleaseFixture;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Publishing releases through a running hub: the ready-made files in examples/releases are accepted
 * as they are (and stay the shared test fixtures), and manifests with YAML errors are refused with
 * every problem located. Subclasses pick the database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractReleasePublishingIT implements TestPropertyProvider {
    private static final String ADMIN = "opa_" + "releases-it".repeat(3);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    EmbeddedServer server;

    private Api api;

    /** Database-specific properties (outpost.db-url and friends, or nothing for H2). */
    abstract Map<String, String> databaseProperties();

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> props = new HashMap<>(databaseProperties());
        try {
            props.put("outpost.data-dir", Files.createTempDirectory("outpost-releases-it").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        props.put("outpost.admin-token", ADMIN);
        props.put("micronaut.server.port", "-1");
        props.put("outpost.grpc-port", "0");
        return props;
    }

    @BeforeAll
    void client() {
        api = new Api(server.getURI());
    }

    @Test
    void theExampleReleasesArePublishedAsTheyAreAndMatchTheTestFixtures() throws IOException {
        Map<String, ReleaseFixture> fixtures = Map.of("1.0.0", ReleaseFixture.redisV1(), "2.0.0", ReleaseFixture.redisV2());
        List<Path> files = exampleReleases();
        assertThat(files).extracting(f -> f.getFileName().toString())
                .containsExactlyInAnyOrder("redis-1.0.0.json", "redis-2.0.0.json");

        for (Path file : files) {
            String body = Files.readString(file, StandardCharsets.UTF_8);
            Api.Response created = api.send("POST", "/api/v1/releases", ADMIN, body, "application/json");
            assertThat(created.status()).as(file + ": " + created).isEqualTo(201);

            JsonNode stored = api.get("/api/v1/releases/" + created.json().get("id").asText(), ADMIN).json();
            ReleaseFixture fixture = fixtures.get(stored.get("version").asText());
            assertThat(fixture).as("a fixture for " + file).isNotNull();
            // The example is the fixture as a request body: neither can change without the other.
            assertThat(stored.get("serviceName").asText()).isEqualTo(fixture.serviceName());
            assertThat(stored.get("manifests").asText()).as(file + " manifests").isEqualTo(fixture.manifests());
            assertThat(JSON.convertValue(stored.get("defaultParameters"), Map.class)).as(file + " defaultParameters")
                    .isEqualTo(fixture.defaults());
        }
    }

    @Test
    void manifestsWithYamlErrorsAreRefusedWithEveryProblemLocated() {
        String manifests = """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: {{ name }}-config
                data:
                  maxmemory: "{{ maxmemory }}"
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  name: {{ name }}
                  labels: app: {{ name }}
                ---
                apiVersion: apps/v1
                metadata:
                  name: {{ name }}
                """;
        Api.Response refused = api.post("/api/v1/releases", ADMIN, Map.of("serviceName", "broken", "version", "1.0.0",
                "manifests", manifests, "defaultParameters", Map.of("name", "x", "maxmemory", "1mb")));

        assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
        assertThat(refused.contentType()).startsWith(Problem.CONTENT_TYPE);
        assertThat(refused.json().get("errors")).extracting(e -> e.get("field").asText().replaceFirst("^/", ""))
                .containsOnly("manifests");
        assertThat(refused.json().get("errors")).extracting(e -> e.get("message").asText()).containsExactly(
                "document 2, line 12, column 14: mapping values are not allowed here",
                "document 3, line 14, column 1: needs 'kind'");
        assertThat(api.get("/api/v1/releases?serviceName=broken", ADMIN).json()).isEmpty();
    }

    /** examples/releases/*.json of the repository this test runs in. */
    private static List<Path> exampleReleases() throws IOException {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path examples = dir.resolve("examples/releases");
            if (Files.isDirectory(examples)) {
                try (Stream<Path> files = Files.list(examples)) {
                    return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
                }
            }
        }
        throw new IllegalStateException("no examples/releases above " + Path.of("").toAbsolutePath());
    }
}
