package dev.outpost.e2e.fleet;

import static org.awaitility.Awaitility.await;

import dev.outpost.e2e.support.ChildProcess;
import dev.outpost.testcluster.FreePorts;
import dev.outpost.e2e.support.ProjectPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link BareGateway} as its own OS process (so its CPU and memory are its own), on fixed loopback
 * ports that survive a restart; a client of its control port.
 */
final class BareGatewayProcess implements AutoCloseable {
    private final Path dataDir;
    private final int grpcPort = FreePorts.next();
    private final int controlPort = FreePorts.next();
    private final String heap;
    private final int heartbeatSeconds;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private ChildProcess process;
    private Duration lastStartTime = Duration.ZERO;

    BareGatewayProcess(Path dataDir, String heap, int heartbeatSeconds) {
        this.dataDir = dataDir;
        this.heap = heap;
        this.heartbeatSeconds = heartbeatSeconds;
    }

    /** Starts (or restarts) the process and waits until its control port answers. */
    BareGatewayProcess start() {
        long begin = System.nanoTime();
        // The test JVM's class path (under failsafe a manifest-only jar naming every dependency).
        List<String> command = List.of(ProjectPaths.java(), "-Xmx" + heap, "-cp", System.getProperty("java.class.path"),
                BareGateway.class.getName(), dataDir.toString(), Integer.toString(grpcPort), Integer.toString(controlPort),
                Integer.toString(heartbeatSeconds));
        process = ChildProcess.start("bare-gateway", command, new HashMap<>(),
                dataDir.resolveSibling(dataDir.getFileName() + "-bare.log"));
        await("bare gateway up").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("the bare gateway exited during start\n" + process.logTail());
            }
            return stats().isPresent();
        });
        lastStartTime = Duration.ofNanos(System.nanoTime() - begin);
        return this;
    }

    void kill9() {
        process.kill9();
    }

    long pid() {
        return process.pid();
    }

    Duration lastStartTime() {
        return lastStartTime;
    }

    String gatewayAddress() {
        return "127.0.0.1:" + grpcPort;
    }

    String caFingerprint() {
        try {
            return Files.readString(dataDir.resolve("ca.fingerprint")).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends one command of {@code generation} to every open stream; returns how many were sent. */
    int fanOut(long generation, String manifests) {
        return Integer.parseInt(send(HttpRequest.newBuilder(control("/fanout?generation=" + generation))
                .POST(HttpRequest.BodyPublishers.ofString(manifests))).orElseThrow().trim());
    }

    /** Open streams now. */
    long streams() {
        return Long.parseLong(stats().orElseThrow().get("streams"));
    }

    /** Command results received since the process started. */
    long results() {
        return Long.parseLong(stats().orElseThrow().get("results"));
    }

    private Optional<Map<String, String>> stats() {
        return send(HttpRequest.newBuilder(control("/stats")).GET()).map(body -> {
            Map<String, String> values = new HashMap<>();
            for (String pair : body.trim().split(" ")) {
                String[] parts = pair.split("=", 2);
                values.put(parts[0], parts[1]);
            }
            return values;
        });
    }

    private Optional<String> send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? Optional.of(response.body()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private URI control(String path) {
        return URI.create("http://127.0.0.1:" + controlPort + path);
    }

    @Override
    public void close() {
        if (process != null) {
            process.kill9();
        }
    }
}
