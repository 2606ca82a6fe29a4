package dev.outpost.e2e.support;

import static org.awaitility.Awaitility.await;

import dev.outpost.testcluster.FreePorts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The hub as a separate process on loopback ports, with its own data directory and database. It can
 * be killed with SIGKILL and started again on the same ports, data and database.
 */
public final class HubProcess implements AutoCloseable {
    private final Path dataDir;
    private final TestDatabase database;
    private final String adminToken;
    private final int httpPort = FreePorts.next();
    private final int grpcPort = FreePorts.next();
    private final List<String> jvmOptions = new ArrayList<>();
    private final Map<String, String> extraEnvironment = new HashMap<>();
    private ChildProcess process;
    private int starts;
    private Duration lastStartTime = Duration.ZERO;

    public HubProcess(Path dataDir, TestDatabase database, String adminToken) {
        this.dataDir = dataDir;
        this.database = database;
        this.adminToken = adminToken;
    }

    /** Adds JVM options for the next starts, e.g. a class-data archive that makes restarts cheaper. */
    public HubProcess withJvmOptions(String... options) {
        jvmOptions.addAll(List.of(options));
        return this;
    }

    /** Adds environment variables for the next starts; they override the ones set here and the database's. */
    public HubProcess withEnvironment(Map<String, String> environment) {
        extraEnvironment.putAll(environment);
        return this;
    }

    /** Starts the hub and waits until /health answers 200. */
    public HubProcess start() {
        Map<String, String> env = new HashMap<>(database.hubEnvironment());
        env.put("OUTPOST_DATA_DIR", dataDir.toString());
        env.put("OUTPOST_ADMIN_TOKEN", adminToken);
        env.put("OUTPOST_HTTP_PORT", Integer.toString(httpPort));
        env.put("OUTPOST_GRPC_PORT", Integer.toString(grpcPort));
        env.put("OUTPOST_GRPC_BIND_ADDRESS", "127.0.0.1");
        // Short presence timings so the offline/online transitions happen within a test's patience.
        env.put("OUTPOST_HEARTBEAT_INTERVAL", "2s");
        env.put("OUTPOST_OFFLINE_AFTER", "8s");
        env.putAll(extraEnvironment);
        List<String> command = new ArrayList<>(List.of(ProjectPaths.java(), "-Xmx512m"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", ProjectPaths.hubJar().toString()));
        long begin = System.nanoTime();
        starts++;
        process = ChildProcess.start("hub#" + starts, command, env, dataDir.resolveSibling(dataDir.getFileName() + "-hub.log"));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        await("hub /health").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("the hub exited during start\n" + process.logTail());
                    }
                    return healthy(http);
                });
        lastStartTime = Duration.ofNanos(System.nanoTime() - begin);
        return this;
    }

    private boolean healthy(HttpClient http) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl() + "/health"))
                    .timeout(Duration.ofSeconds(2)).build();
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    /** Stops the hub as an operator would (SIGTERM, then SIGKILL after 10 s). */
    public void stop() {
        process.close();
    }

    /** Crashes the hub (SIGKILL). */
    public void kill9() {
        process.kill9();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    /** host:port agents dial. */
    public String gatewayAddress() {
        return "127.0.0.1:" + grpcPort;
    }

    public String adminToken() {
        return adminToken;
    }

    /** From process start to a healthy /health, for the last start. */
    public Duration lastStartTime() {
        return lastStartTime;
    }

    public ChildProcess process() {
        return process;
    }

    @Override
    public void close() {
        if (process != null) {
            process.close();
        }
    }
}
