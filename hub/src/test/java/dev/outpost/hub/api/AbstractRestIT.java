package dev.outpost.hub.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.hub.testsupport.Api;
import dev.outpost.hub.testsupport.HubTestProperties;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * A running hub on a real database for REST request tests, with helpers to create objects and to
 * check that a refused request wrote nothing; subclasses pick the database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractRestIT implements TestPropertyProvider {
    static final String ADMIN = "opa_" + "rq".repeat(16);
    /** Every table a REST request can write to. */
    static final List<String> TABLES = List.of("tenants", "api_tokens", "environments", "join_tokens", "releases",
            "deployments", "operations", "commands", "idempotency_keys", "audit_log");
    /** A release whose one ConfigMap takes a "replicas" parameter (default "1"). */
    static final String MANIFESTS = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  replicas: \"{{ replicas }}\"\n";

    @Inject
    EmbeddedServer server;
    @Inject
    DataSource dataSource;

    Api api;

    /** Database-specific properties (outpost.db-url and friends, or nothing for H2). */
    abstract Map<String, String> databaseProperties();

    @Override
    public Map<String, String> getProperties() {
        return HubTestProperties.with(databaseProperties(), ADMIN);
    }

    @BeforeAll
    void client() {
        api = new Api(server.getURI());
    }

    String createTenant() {
        return created(api.post("/api/v1/tenants", ADMIN, Map.of("name", "tenant-" + suffix()))).get("id").asText();
    }

    String createEnvironment(String tenantId) {
        return created(api.post("/api/v1/environments", ADMIN, Map.of("tenantId", tenantId, "name", "env-" + suffix(),
                "cloud", "aws", "region", "eu-west-1", "clusterName", "prod"))).get("id").asText();
    }

    String createRelease() {
        return created(api.post("/api/v1/releases", ADMIN, Map.of("serviceName", "svc-" + suffix(), "version", "1.0.0",
                "manifests", MANIFESTS, "defaultParameters", Map.of("replicas", "1")))).get("id").asText();
    }

    /** Creates a deployment; returns the 202 body ({deployment, operation}). */
    JsonNode deploy(String token, String environmentId, String releaseId) {
        Api.Response response = api.post("/api/v1/deployments", token, Map.of("environmentId", environmentId,
                "releaseId", releaseId, "name", "app-" + suffix()));
        assertThat(response.status()).as(response.toString()).isEqualTo(202);
        return response.json();
    }

    static JsonNode created(Api.Response response) {
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return response.json();
    }

    /** How many rows each table has: compare before and after a refused request. */
    Map<String, Long> rowCounts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            for (String table : TABLES) {
                try (ResultSet rs = s.executeQuery("select count(*) from " + table)) {
                    rs.next();
                    counts.put(table, rs.getLong(1));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return counts;
    }

    /** The value of one column of one row, or null when there is no such row. */
    String column(String sql, String value) {
        try (Connection c = dataSource.getConnection(); var ps = c.prepareStatement(sql)) {
            ps.setString(1, value);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Asserts a 400 problem+json whose only error names {@code pointer} with a message containing
     * {@code message}, in the hub's own words.
     */
    static void assertFieldRefused(Api.Response response, String pointer, String message) {
        assertBadRequest(response);
        assertThat(response.json().get("errors")).as(response.toString()).hasSize(1);
        assertThat(response.json().at("/errors/0/field").asText()).as(response.toString()).isEqualTo(pointer);
        assertThat(response.json().at("/errors/0/message").asText()).as(response.toString()).contains(message);
    }

    /** Asserts a 400 problem+json that shows no Java class names, stack traces or Jackson wording. */
    static void assertBadRequest(Api.Response response) {
        assertThat(response.status()).as(response.toString()).isEqualTo(400);
        assertThat(response.contentType()).as(response.toString()).startsWith("application/problem+json");
        assertThat(response.json().get("type").asText()).isEqualTo("https://outpost.dev/problems/bad-request");
        assertThat(response.json().get("status").asInt()).isEqualTo(400);
        assertThat(response.json().get("detail").asText()).as(response.toString()).isNotBlank();
        assertThat(response.raw().body()).as(response.toString()).doesNotContain("java.", "dev.outpost", "$", "`",
                "Exception", "LinkedHashMap", "JsonToken", "Jackson", "Source:", "\tat ", "START_", "VALUE_");
    }

    static String suffix() {
        return UUID.randomUUID().toString().substring(0, 8);
    }
}
