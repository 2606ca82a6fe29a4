package dev.outpost.hub.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.hub.testsupport.Api;
import dev.outpost.hub.testsupport.HubTestProperties;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The REST API's rates per token and per tenant, over HTTP: a token past its burst gets 429 with
 * Retry-After and a problem naming it, and a tenant's tokens share the tenant's budget.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenRateLimitsH2IT implements TestPropertyProvider {
    static final String ADMIN = "opa_" + "rl".repeat(16);

    @Inject
    EmbeddedServer server;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> properties = new HashMap<>(HubTestProperties.with(Map.of(), ADMIN));
        properties.putAll(Map.of("outpost.rate-limits.per-token", "0.5", "outpost.rate-limits.per-token-burst", "3",
                "outpost.rate-limits.per-tenant", "0.5", "outpost.rate-limits.per-tenant-burst", "5"));
        return properties;
    }

    @Test
    void aTokenPastItsBurstGets429WithRetryAfterAndATenantsTokensShareItsBudget() {
        Api api = new Api(server.getURI());
        String tenant = api.post("/api/v1/tenants", ADMIN, Map.of("name", "busy")).json().get("id").asText();
        String first = api.post("/api/v1/tenants/" + tenant + "/tokens", ADMIN, Map.of("name", "ci")).json()
                .get("token").asText();
        String second = api.post("/api/v1/tenants/" + tenant + "/tokens", ADMIN, Map.of("name", "cron")).json()
                .get("token").asText();

        for (int i = 0; i < 3; i++) {
            assertThat(api.get("/api/v1/environments", first).status()).isEqualTo(200);
        }
        Api.Response limited = api.get("/api/v1/environments", first);
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.contentType()).startsWith("application/problem+json");
        assertThat(limited.header("Retry-After")).isEqualTo("2");
        assertThat(limited.json().get("detail").asText())
                .isEqualTo("too many requests for tenant-admin token 'ci' or its tenant: retry after 2 s");

        // the second token has its own burst, but the tenant's 5 are spent after 2 more
        assertThat(api.get("/api/v1/environments", second).status()).isEqualTo(200);
        assertThat(api.get("/api/v1/environments", second).status()).isEqualTo(200);
        assertThat(api.get("/api/v1/environments", second).status()).isEqualTo(429);
        // the admin was charged 3 for the setup and is not held to the tenant's budget: it has none left either
        Api.Response admin = api.get("/api/v1/tenants", ADMIN);
        assertThat(admin.status()).isEqualTo(429);
        assertThat(admin.json().get("detail").asText()).startsWith("too many requests for admin: retry after");
    }
}
