package dev.outpost.e2e.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.protocol.contract.OpenApiContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A small client of the hub's REST API, as a vendor's script would use it. Every response is checked
 * against the OpenAPI document the hub serves (fetched once per hub): one that breaks it fails the test.
 */
public final class HubApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DOCUMENT_PATH = "/api/v1/openapi.yaml";
    /** Per hub base URL; a restarted hub serves the same document. */
    private static final Map<String, OpenApiContract> CONTRACTS = new ConcurrentHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;
    private final String token;

    public HubApi(String baseUrl, String token) {
        this.baseUrl = baseUrl;
        this.token = token;
    }

    /** The same hub with another bearer token. */
    public HubApi as(String otherToken) {
        return new HubApi(baseUrl, otherToken);
    }

    /** An HTTP answer: status, content type, parsed body (null when empty) and headers. */
    public record Response(int status, String contentType, JsonNode body, HttpHeaders headers) {
        /** The first value of header {@code name}, null when absent. */
        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        /** The body, after checking the status is the expected one. */
        public JsonNode expect(int expected) {
            if (status != expected) {
                throw new AssertionError("expected HTTP " + expected + " but got " + status + ": " + body);
            }
            return body;
        }
    }

    public Response get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    /** An answer that is not JSON (a CSV export), as text. */
    public record Text(int status, String contentType, String body) {
    }

    /** GET of a document that is not JSON, e.g. {@code /api/v1/usage?format=csv}. */
    public Text getText(String path) {
        HttpResponse<String> response = exchange(HttpRequest.newBuilder(uri(path)).GET());
        return new Text(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                response.body());
    }

    public Response post(String path, Object body) {
        return sendJson("POST", path, body);
    }

    public Response patch(String path, Object body) {
        return sendJson("PATCH", path, body);
    }

    public Response delete(String path) {
        return send(HttpRequest.newBuilder(uri(path)).DELETE());
    }

    /**
     * {@code method} on {@code path} with {@code body} as JSON (none when null) and extra request headers,
     * e.g. {@code Idempotency-Key} or {@code If-Match}.
     */
    public Response send(String method, String path, Object body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path));
        headers.forEach(request::header);
        if (body == null) {
            return send(request.method(method, HttpRequest.BodyPublishers.noBody()));
        }
        try {
            return send(request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends a raw body as JSON, e.g. a malformed one. */
    public Response postRaw(String path, String rawJson) {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(rawJson)));
    }

    /** Uploads a service package: POST /api/v1/packages with the .tgz as the body (see docs/catalogue.md). */
    public Response publishPackage(byte[] archive) {
        return send(HttpRequest.newBuilder(uri("/api/v1/packages")).header("Content-Type", "application/gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(archive)));
    }

    private Response sendJson(String method, String path, Object body) {
        try {
            return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Response send(HttpRequest.Builder request) {
        HttpResponse<String> response = exchange(request);
        try {
            String text = response.body();
            JsonNode body = text == null || text.isBlank() ? null : JSON.readTree(text);
            return new Response(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), body,
                    response.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends with the token and holds the answer to the hub's OpenAPI document. */
    private HttpResponse<String> exchange(HttpRequest.Builder request) {
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            HttpRequest built = request.timeout(Duration.ofSeconds(30)).build();
            HttpResponse<String> response = http.send(built, HttpResponse.BodyHandlers.ofString());
            contract().check(built.method(), response);
            return response;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The hub's own document, the contract its answers are held to. */
    private OpenApiContract contract() {
        return CONTRACTS.computeIfAbsent(baseUrl, base -> {
            try {
                HttpResponse<String> document = http.send(HttpRequest.newBuilder(URI.create(base + DOCUMENT_PATH))
                        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
                if (document.statusCode() != 200) {
                    throw new AssertionError("the hub serves no OpenAPI document: " + document.statusCode());
                }
                return OpenApiContract.fromYaml(document.body());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        });
    }

    private URI uri(String path) {
        return URI.create(baseUrl + path);
    }
}
