package dev.outpost.hub.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.hub.testsupport.Api;
import dev.outpost.hub.testsupport.HubTestProperties;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Guessing tokens, over HTTP: an address past its budget of requests with unknown tokens is refused
 * with 429 (even with a good token) until the budget refills.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AddressRateLimitsH2IT implements TestPropertyProvider {
    static final String ADMIN = "opa_" + "ra".repeat(16);

    @Inject
    EmbeddedServer server;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> properties = new HashMap<>(HubTestProperties.with(Map.of(), ADMIN));
        properties.putAll(Map.of("outpost.rate-limits.failed-auth-per-address", "1",
                "outpost.rate-limits.failed-auth-burst", "3"));
        return properties;
    }

    @Test
    void anAddressGuessingTokensIsRefusedAltogetherUntilItsBudgetRefills() {
        Api api = new Api(server.getURI());
        for (int i = 0; i < 3; i++) {
            assertThat(api.get("/api/v1/tenants", "opt_guess" + i).status()).isEqualTo(401);
        }

        Api.Response refused = api.get("/api/v1/tenants", "opt_guess3");
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.header("Retry-After")).isEqualTo("1");
        assertThat(refused.json().get("detail").asText()).isEqualTo("too many requests with a missing or unknown API "
                + "token from 127.0.0.1: retry after 1 s");
        assertThat(api.get("/api/v1/tenants", ADMIN).status()).as("the good token from the same address").isEqualTo(429);

        await().atMost(Duration.ofSeconds(10)).until(() -> api.get("/api/v1/tenants", ADMIN).status() == 200);
    }
}
