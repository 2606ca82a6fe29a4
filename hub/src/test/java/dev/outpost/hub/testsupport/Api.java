package dev.outpost.hub.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.hub.ops.OpenApiController;
import dev.outpost.protocol.contract.OpenApiContract;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * A plain HTTP client for the hub's REST API that never throws on error statuses, but fails the test
 * on any response that breaks the OpenAPI document (the contract test: every response the suite
 * receives is checked).
 */
public final class Api {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The document the hub serves, read from the same resource. */
    public static final OpenApiContract CONTRACT = loadContract();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;

    public Api(URI base) {
        this.base = base;
    }

    /** A response with its body parsed as JSON when it is JSON. */
    public record Response(int status, HttpResponse<String> raw, JsonNode json) {
        public String contentType() {
            return raw.headers().firstValue("Content-Type").orElse("");
        }

        public String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        @Override
        public String toString() {
            return status + " " + raw.body();
        }
    }

    public Response get(String path, String token) {
        return send("GET", path, token, null, null);
    }

    public Response post(String path, String token, Object body) {
        return send("POST", path, token, json(body), "application/json");
    }

    public Response patch(String path, String token, Object body) {
        return send("PATCH", path, token, json(body), "application/json");
    }

    public Response delete(String path, String token) {
        return send("DELETE", path, token, null, null);
    }

    /** Any request; {@code body} is sent as is with {@code contentType}. */
    public Response send(String method, String path, String token, String body, String contentType) {
        return send(method, path, token, body, contentType, Map.of());
    }

    /** A JSON request (null body: none) with extra headers, e.g. Idempotency-Key or If-Match. */
    public Response withHeaders(String method, String path, String token, Object body, Map<String, String> headers) {
        return send(method, path, token, body == null ? null : json(body), body == null ? null : "application/json",
                headers);
    }

    /** Any request with extra headers; {@code body} is sent as is with {@code contentType}. */
    public Response send(String method, String path, String token, String body, String contentType,
                         Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        try {
            HttpResponse<String> response = http.send(request.build(), BodyHandlers.ofString());
            CONTRACT.check(method, response);
            String type = response.headers().firstValue("Content-Type").orElse("");
            JsonNode json = type.contains("json") && !response.body().isEmpty() ? JSON.readTree(response.body()) : null;
            return new Response(response.statusCode(), response, json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Uploads a package archive: POST /api/v1/packages with Content-Type application/gzip. */
    public Response publishPackage(String token, byte[] archive) {
        return sendBytes("POST", "/api/v1/packages", token, archive, "application/gzip");
    }

    /** Any request with a binary {@code body}; the response is read as text (JSON when it is JSON). */
    public Response sendBytes(String method, String path, String token, byte[] body, String contentType) {
        HttpResponse<byte[]> response = exchange(method, path, token, body, contentType);
        HttpResponse<String> text = new TextResponse(response, new String(response.body(), StandardCharsets.UTF_8));
        CONTRACT.check(method, text);
        String type = text.headers().firstValue("Content-Type").orElse("");
        try {
            JsonNode json = type.contains("json") && !text.body().isEmpty() ? JSON.readTree(text.body()) : null;
            return new Response(response.statusCode(), text, json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A binary response (a package archive) with its raw bytes, checked against the document like any. */
    public record Download(int status, byte[] body, HttpResponse<byte[]> raw) {
        public String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    /** GET of a binary resource, e.g. /api/v1/releases/{id}/archive. */
    public Download download(String path, String token) {
        HttpResponse<byte[]> response = exchange("GET", path, token, null, null);
        String type = response.headers().firstValue("Content-Type").orElse("");
        // Only a JSON body is checked against a schema; the bytes of an archive are only counted.
        String body = type.contains("json") ? new String(response.body(), StandardCharsets.UTF_8)
                : new String(response.body(), StandardCharsets.ISO_8859_1);
        CONTRACT.check("GET", new TextResponse(response, body));
        return new Download(response.statusCode(), response.body(), response);
    }

    private HttpResponse<byte[]> exchange(String method, String path, String token, byte[] body, String contentType) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        try {
            return http.send(request.build(), BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A byte response seen as text, for the contract check and {@link Response}. */
    private record TextResponse(HttpResponse<byte[]> bytes, String body) implements HttpResponse<String> {
        @Override
        public int statusCode() {
            return bytes.statusCode();
        }

        @Override
        public HttpRequest request() {
            return bytes.request();
        }

        @Override
        public java.util.Optional<HttpResponse<String>> previousResponse() {
            return java.util.Optional.empty();
        }

        @Override
        public java.net.http.HttpHeaders headers() {
            return bytes.headers();
        }

        @Override
        public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
            return bytes.sslSession();
        }

        @Override
        public URI uri() {
            return bytes.uri();
        }

        @Override
        public HttpClient.Version version() {
            return bytes.version();
        }
    }

    private static String json(Object body) {
        try {
            return body instanceof String s ? s : JSON.writeValueAsString(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static OpenApiContract loadContract() {
        try (InputStream in = OpenApiController.class.getResourceAsStream(OpenApiController.RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("no OpenAPI document at " + OpenApiController.RESOURCE);
            }
            return OpenApiContract.fromYaml(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
