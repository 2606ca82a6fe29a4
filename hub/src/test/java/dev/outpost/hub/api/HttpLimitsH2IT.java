package dev.outpost.hub.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue #7 item 7: a request line or header section over the configured Netty limits gets 414 or 431
 * problem+json (Micronaut answers both 413), and requests within the limits are served.
 */
@MicronautTest
class HttpLimitsH2IT extends AbstractRestIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @Override
    Map<String, String> databaseProperties() {
        return Map.of();
    }

    @Test
    void aTwentyKilobyteHeaderIs431() throws Exception {
        HttpResponse<String> response = send(request("/api/v1/tenants").header("X-Padding", "a".repeat(20 * 1024)));

        assertProblem(response, 431, "https://outpost.dev/problems/headers-too-large",
                "the request headers are larger than 16384 bytes in all");
    }

    @Test
    void aTwentyKilobytePathIs414() throws Exception {
        HttpResponse<String> response = send(request("/api/v1/tenants/" + "a".repeat(20 * 1024)));

        assertProblem(response, 414, "https://outpost.dev/problems/request-line-too-long",
                "the request line (method, path and query) is longer than 8192 bytes");
    }

    @Test
    void aJsonBodyOverFourMebibytesIs413BeforeItIsRead() throws Exception {
        String tooLarge = "{\"name\": \"" + "a".repeat(5 * 1024 * 1024) + "\"}";
        HttpResponse<String> response = send(request("/api/v1/tenants").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(tooLarge)));

        assertProblem(response, 413, "https://outpost.dev/problems/body-too-large", "the request body has "
                + tooLarge.length() + " bytes; JSON requests take at most 4194304 (4 MiB)");
        HttpResponse<String> tenants = send(request("/api/v1/tenants"));
        assertThat(tenants.body()).doesNotContain("aaaa");
    }

    @Test
    void requestsWithinTheLimitsAreServed() throws Exception {
        HttpResponse<String> headers = send(request("/api/v1/tenants").header("X-Padding", "a".repeat(12 * 1024)));
        assertThat(headers.statusCode()).as(headers.body()).isEqualTo(200);

        HttpResponse<String> path = send(request("/api/v1/tenants/ten_" + "a".repeat(7 * 1024)));
        assertThat(path.statusCode()).as(path.body()).isEqualTo(404);
        assertThat(path.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
                assertThat(type).startsWith("application/problem+json"));
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(server.getURI() + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + ADMIN).GET();
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertProblem(HttpResponse<String> response, int status, String type, String detail)
            throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(contentType ->
                assertThat(contentType).startsWith("application/problem+json"));
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("type").asText()).isEqualTo(type);
        assertThat(problem.get("detail").asText()).isEqualTo(detail);
    }
}
