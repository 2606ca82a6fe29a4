package dev.outpost.hub.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.hub.testsupport.Api;
import java.util.Map;
import java.util.UUID;

/** Environments and join tokens made through the REST API, for the gateway's tests. */
final class TestEnvironments {
    private TestEnvironments() {
    }

    /** A new tenant with one environment; answers the environment's id. */
    static String create(Api api, String adminToken) {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        Api.Response tenant = api.post("/api/v1/tenants", adminToken, Map.of("name", "tenant-" + suffix));
        assertThat(tenant.status()).as(tenant.toString()).isEqualTo(201);
        Api.Response env = api.post("/api/v1/environments", adminToken, Map.of("tenantId",
                tenant.json().get("id").asText(), "name", "env-" + suffix, "cloud", "aws", "region", "eu-west-1",
                "clusterName", "prod"));
        assertThat(env.status()).as(env.toString()).isEqualTo(201);
        return env.json().get("id").asText();
    }

    /** A join token of {@code environmentId} with {@code uses} uses: the whole answer (id, token, …). */
    static JsonNode joinToken(Api api, String adminToken, String environmentId, int uses) {
        Api.Response token = api.post("/api/v1/environments/" + environmentId + "/join-tokens", adminToken,
                Map.of("uses", uses));
        assertThat(token.status()).as(token.toString()).isEqualTo(201);
        return token.json();
    }
}
