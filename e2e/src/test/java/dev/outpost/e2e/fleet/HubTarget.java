package dev.outpost.e2e.fleet;

import static org.awaitility.Awaitility.await;

import dev.outpost.e2e.support.HubApi;
import dev.outpost.e2e.support.HubProcess;
import dev.outpost.e2e.support.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The hub as a {@link FleetTarget}: one process on H2 or PostgreSQL, or several replicas sharing one
 * PostgreSQL database and one CA (copied into each replica's data dir, as docs/charts.md tells
 * operators). The vendor's REST calls go to the first replica; commands reach agents on the others
 * through the shared database, as in production.
 */
public final class HubTarget implements FleetTarget {
    private final TestDatabase database;
    private final Path work;
    private final List<HubProcess> replicas = new ArrayList<>();
    private final FleetVendor vendor;
    private final HttpClient http = HttpClient.newHttpClient();
    private Duration lastStartTime = Duration.ZERO;
    private int rounds;
    /** Whether the last command round was one rollout: then its progress tells when all are carried out. */
    private boolean lastRoundWasRollout;

    public HubTarget(Path work, TestDatabase database, int replicaCount, String heap, String heartbeat) {
        if (replicaCount > 1 && "h2".equals(database.kind())) {
            throw new IllegalArgumentException("hub replicas share PostgreSQL, not the embedded H2");
        }
        this.database = database;
        this.work = work;
        String adminToken = "opa_fleet-" + UUID.randomUUID();
        for (int i = 0; i < replicaCount; i++) {
            Path dataDir = work.resolve("hub-" + i + "-data");
            if (i > 0) {
                shareCa(work.resolve("hub-0-data"), dataDir);
            }
            replicas.add(new HubProcess(dataDir, database, adminToken).withJvmOptions("-Xmx" + heap)
                    .withJvmOptions(extraJvmOptions())
                    // the vendor side of a benchmark creates thousands of environments and deployments at once
                    .withEnvironment(Map.of("OUTPOST_RATE_LIMITS_ENABLED", "false"))
                    // REST on 127.0.0.1 only, apart from the agents' source addresses (see SimulatedAgent).
                    .withEnvironment(Map.of("OUTPOST_HEARTBEAT_INTERVAL", heartbeat, "OUTPOST_OFFLINE_AFTER", "30s",
                            "MICRONAUT_SERVER_HOST", "127.0.0.1"))
                    .start());
        }
        this.vendor = new FleetVendor(new HubApi(replicas.get(0).baseUrl(), adminToken), "fleet-bench");
    }

    /** The vendor's side, through the first replica's REST API. */
    public FleetVendor vendor() {
        return vendor;
    }

    @Override
    public String description() {
        return "hub on " + database.kind() + (replicas.size() > 1 ? ", " + replicas.size() + " replicas" : "");
    }

    @Override
    public List<String> gateways() {
        return replicas.stream().map(HubProcess::gatewayAddress).toList();
    }

    @Override
    public List<Long> pids() {
        return replicas.stream().map(hub -> hub.process().pid()).toList();
    }

    @Override
    public FleetSimulator.Invitation invite(int index) {
        return vendor.invite(index);
    }

    /** One {@code POST /deployments} per agent (the first round) or {@code PATCH} (later ones), 16 at a time. */
    @Override
    public List<FleetVendor.Request> commandEveryAgent(List<String> agentIds) throws InterruptedException {
        rounds++;
        lastRoundWasRollout = false;
        String release = vendor.release(rounds + ".0.0", "hello-" + rounds);
        return rounds == 1 ? vendor.deployEverywhere(release, 16) : vendor.upgradeEverywhere(release, 16);
    }

    /** One {@code POST /rollouts} that upgrades every agent's deployment to a new release. */
    @Override
    public List<FleetVendor.Request> commandEveryAgentInOneRequest(List<String> agentIds) {
        rounds++;
        lastRoundWasRollout = true;
        return vendor.rolloutEverywhere(vendor.release(rounds + ".0.0", "hello-" + rounds));
    }

    @Override
    public void awaitAllCarriedOut(int agents, Duration patience) {
        if (lastRoundWasRollout) {
            // As a vendor follows a rollout: by its progress. Listing every operation each half second
            // (10,000 of them pending, each with its waiting reason) took 40% of the hub's CPU meanwhile.
            await("the rollout succeeded").atMost(patience).pollInterval(Duration.ofMillis(500))
                    .until(() -> vendor.lastRollout().path("operations").path("succeeded").asInt() == agents);
        }
        await("every operation succeeded").atMost(patience).pollInterval(Duration.ofMillis(500))
                .until(() -> vendor.operationsByStatus().equals(Map.of("succeeded", agents * rounds)));
    }

    /** From each replica's {@code outpost_db_connections} gauge; a replica not answering counts as none. */
    @Override
    public DatabaseConnections databaseConnections() {
        int active = 0;
        int waiting = 0;
        for (HubProcess replica : replicas) {
            try {
                HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(replica.baseUrl() + "/metrics"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                for (String line : metrics.body().lines().toList()) {
                    if (line.startsWith("outpost_db_connections{state=\"active\"}")) {
                        active += (int) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                    } else if (line.startsWith("outpost_db_connections{state=\"waiting\"}")) {
                        waiting += (int) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                    }
                }
            } catch (IOException e) {
                // down (killed, starting): no connections to count
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new DatabaseConnections(active, waiting);
            }
        }
        return new DatabaseConnections(active, waiting);
    }

    @Override
    public long onlineSince(Instant since) {
        return vendor.agentsOnlineSince(since);
    }

    @Override
    public void kill9() {
        replicas.forEach(HubProcess::kill9);
    }

    @Override
    public void restart() {
        long begin = System.nanoTime();
        replicas.forEach(HubProcess::start);
        lastStartTime = Duration.ofNanos(System.nanoTime() - begin);
    }

    @Override
    public Duration lastStartTime() {
        return lastStartTime;
    }

    /** Stops every replica and keeps its log as {@code target/fleet-hub-<i>.log} (the data dirs are temporary). */
    @Override
    public void close() throws Exception {
        for (int i = 0; i < replicas.size(); i++) {
            replicas.get(i).close();
            Path log = work.resolve("hub-" + i + "-data-hub.log");
            if (Files.exists(log)) {
                Files.copy(log, Path.of("target", "fleet-hub-" + i + ".log"), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        database.close();
    }

    /** {@code outpost.fleet.hub-jvm-options}: more JVM options for every replica, e.g. {@code -Xlog:gc:file=/tmp/gc.log}. */
    private static String[] extraJvmOptions() {
        String options = System.getProperty("outpost.fleet.hub-jvm-options", "").trim();
        return options.isEmpty() ? new String[0] : options.split("\\s+");
    }

    private static void shareCa(Path from, Path to) {
        try {
            Files.createDirectories(to.resolve("pki"));
            for (String file : List.of("ca.crt", "ca.key")) {
                Files.copy(from.resolve("pki").resolve(file), to.resolve("pki").resolve(file),
                        StandardCopyOption.COPY_ATTRIBUTES);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot share the first replica's CA", e);
        }
    }
}
