package dev.outpost.hub.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import jakarta.annotation.PostConstruct;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Every setting of the hub, under the {@code outpost.} prefix; environment variables override them
 * (OUTPOST_DATA_DIR → outpost.data-dir, and so on). docs/configuration.md lists them all.
 */
@ConfigurationProperties("outpost")
public class HubConfig {
    /** The highest outpost.max-concurrent-operations-per-environment: what one control stream keeps in flight. */
    public static final int MAX_CONCURRENT_OPERATIONS = 64;
    private Path dataDir = Path.of("outpost-data");
    private int httpPort = 8080;
    private int grpcPort = 8443;
    private String grpcBindAddress = "0.0.0.0";
    private List<String> grpcHostnames = List.of("localhost", "127.0.0.1");
    private String adminToken;
    private String dbUrl;
    private String dbUser;
    private String dbPassword;
    private boolean dbAcceptLosableWrites;
    private Duration heartbeatInterval = Duration.ofSeconds(10);
    private Duration offlineAfter = Duration.ofSeconds(30);
    private Duration agentCertificateTtl = Duration.ofDays(30);
    private Duration joinTokenDefaultTtl = Duration.ofHours(1);
    private Duration joinTokenMaxTtl = Duration.ofDays(7);
    private Duration deploymentReadyTimeout = Duration.ofMinutes(5);
    private Duration commandPollInterval = Duration.ofSeconds(2);
    private int deploymentRevisionsKept = 10;
    private Duration operationResultMargin = Duration.ofMinutes(2);
    private Duration operationSweepInterval = Duration.ofSeconds(10);
    private Duration idempotencyKeysKept = Duration.ofHours(24);
    private int maxConcurrentOperationsPerEnvironment = 4;
    private int maxConcurrentPackageRenders = 2;

    /**
     * Refuses to start with settings that cannot work, naming every offending key at once (rather than
     * failing later, e.g. agents flapping offline because they heartbeat less often than offline-after).
     *
     * @throws IllegalStateException listing the problems
     */
    @PostConstruct
    public void validate() {
        List<String> problems = problems();
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Invalid hub configuration: " + String.join("; ", problems));
        }
    }

    /** What is wrong with the settings, one sentence per problem naming the keys; empty when they can work. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        // -1 and 0 let the server pick a free port (Micronaut's and grpc's conventions); tests use them.
        port(problems, "outpost.http-port", httpPort, -1);
        port(problems, "outpost.grpc-port", grpcPort, 0);
        // Welcome tells agents the interval in whole seconds.
        if (heartbeatInterval.compareTo(Duration.ofSeconds(1)) < 0) {
            problems.add("outpost.heartbeat-interval (" + heartbeatInterval + ") must be at least 1s");
        }
        positive(problems, "outpost.offline-after", offlineAfter);
        positive(problems, "outpost.agent-certificate-ttl", agentCertificateTtl);
        if (deploymentRevisionsKept < 1 || deploymentRevisionsKept > 1000) {
            problems.add("outpost.deployment-revisions-kept (" + deploymentRevisionsKept + ") must be 1 to 1000");
        }
        positive(problems, "outpost.operation-result-margin", operationResultMargin);
        positive(problems, "outpost.operation-sweep-interval", operationSweepInterval);
        positive(problems, "outpost.join-token-default-ttl", joinTokenDefaultTtl);
        positive(problems, "outpost.join-token-max-ttl", joinTokenMaxTtl);
        positive(problems, "outpost.deployment-ready-timeout", deploymentReadyTimeout);
        positive(problems, "outpost.command-poll-interval", commandPollInterval);
        if (maxConcurrentOperationsPerEnvironment < 1 || maxConcurrentOperationsPerEnvironment > MAX_CONCURRENT_OPERATIONS) {
            problems.add("outpost.max-concurrent-operations-per-environment (" + maxConcurrentOperationsPerEnvironment
                    + ") must be between 1 and " + MAX_CONCURRENT_OPERATIONS);
        }
        if (maxConcurrentPackageRenders < 1 || maxConcurrentPackageRenders > 64) {
            problems.add("outpost.max-concurrent-package-renders (" + maxConcurrentPackageRenders
                    + ") must be between 1 and 64");
        }
        // Clients retry for up to a day (a laptop asleep overnight); a shorter window replays nothing.
        if (idempotencyKeysKept.compareTo(Duration.ofHours(24)) < 0) {
            problems.add("outpost.idempotency-keys-kept (" + idempotencyKeysKept + ") must be at least 24h");
        }
        // Two heartbeats per offline-after: one late or lost heartbeat must not mark a live agent offline.
        if (heartbeatInterval.multipliedBy(2).compareTo(offlineAfter) > 0) {
            problems.add("outpost.heartbeat-interval (" + heartbeatInterval + ") must be at most half of "
                    + "outpost.offline-after (" + offlineAfter + ")");
        }
        if (joinTokenDefaultTtl.compareTo(joinTokenMaxTtl) > 0) {
            problems.add("outpost.join-token-default-ttl (" + joinTokenDefaultTtl + ") must not exceed "
                    + "outpost.join-token-max-ttl (" + joinTokenMaxTtl + ")");
        }
        return problems;
    }

    private static void port(List<String> problems, String key, int value, int lowest) {
        if (value < lowest || value > 65535) {
            problems.add(key + " (" + value + ") must be between " + lowest + " and 65535");
        }
    }

    private static void positive(List<String> problems, String key, Duration value) {
        if (value.isNegative() || value.isZero()) {
            problems.add(key + " (" + value + ") must be a positive duration");
        }
    }

    /** Folder for the embedded database, the CA and the gateway's certificate. */
    public Path getDataDir() {
        return dataDir;
    }

    public void setDataDir(Path dataDir) {
        this.dataDir = dataDir;
    }

    /** REST API port. */
    public int getHttpPort() {
        return httpPort;
    }

    public void setHttpPort(int httpPort) {
        this.httpPort = httpPort;
    }

    /** Agent gateway (gRPC over TLS) port. */
    public int getGrpcPort() {
        return grpcPort;
    }

    public void setGrpcPort(int grpcPort) {
        this.grpcPort = grpcPort;
    }

    /** Address the agent gateway listens on. */
    public String getGrpcBindAddress() {
        return grpcBindAddress;
    }

    public void setGrpcBindAddress(String grpcBindAddress) {
        this.grpcBindAddress = grpcBindAddress;
    }

    /** DNS names and IPs agents use to reach the gateway; they go into its certificate's SANs. */
    public List<String> getGrpcHostnames() {
        return grpcHostnames;
    }

    public void setGrpcHostnames(List<String> grpcHostnames) {
        this.grpcHostnames = grpcHostnames;
    }

    /** Admin API token to accept instead of generating one on first start. */
    public Optional<String> getAdminToken() {
        return Optional.ofNullable(adminToken).filter(s -> !s.isBlank());
    }

    public void setAdminToken(String adminToken) {
        this.adminToken = adminToken;
    }

    /** JDBC URL of a PostgreSQL database (OUTPOST_DB_URL); unset means embedded H2 in the data directory. */
    public Optional<String> getDbUrl() {
        return Optional.ofNullable(dbUrl).filter(s -> !s.isBlank());
    }

    public void setDbUrl(String dbUrl) {
        this.dbUrl = dbUrl;
    }

    /** User for {@link #getDbUrl()} (OUTPOST_DB_USER). */
    public Optional<String> getDbUser() {
        return Optional.ofNullable(dbUser).filter(s -> !s.isBlank());
    }

    public void setDbUser(String dbUser) {
        this.dbUser = dbUser;
    }

    /** Password for {@link #getDbUrl()} (OUTPOST_DB_PASSWORD). */
    public Optional<String> getDbPassword() {
        return Optional.ofNullable(dbPassword);
    }

    public void setDbPassword(String dbPassword) {
        this.dbPassword = dbPassword;
    }

    /**
     * Start even when the database's settings can lose writes the API has confirmed (H2 with a write
     * delay, PostgreSQL with fsync, synchronous_commit or full_page_writes off); the hub then only warns.
     */
    public boolean isDbAcceptLosableWrites() {
        return dbAcceptLosableWrites;
    }

    public void setDbAcceptLosableWrites(boolean dbAcceptLosableWrites) {
        this.dbAcceptLosableWrites = dbAcceptLosableWrites;
    }

    /** How often agents must send heartbeats (told to them in Welcome). */
    public Duration getHeartbeatInterval() {
        return heartbeatInterval;
    }

    public void setHeartbeatInterval(Duration heartbeatInterval) {
        this.heartbeatInterval = heartbeatInterval;
    }

    /** An agent not heard from for this long is marked offline. */
    public Duration getOfflineAfter() {
        return offlineAfter;
    }

    public void setOfflineAfter(Duration offlineAfter) {
        this.offlineAfter = offlineAfter;
    }

    /** Lifetime of the client certificates the CA signs for agents. */
    public Duration getAgentCertificateTtl() {
        return agentCertificateTtl;
    }

    public void setAgentCertificateTtl(Duration agentCertificateTtl) {
        this.agentCertificateTtl = agentCertificateTtl;
    }

    /** Lifetime of a join token when the request names none. */
    public Duration getJoinTokenDefaultTtl() {
        return joinTokenDefaultTtl;
    }

    public void setJoinTokenDefaultTtl(Duration joinTokenDefaultTtl) {
        this.joinTokenDefaultTtl = joinTokenDefaultTtl;
    }

    /** Longest lifetime a join token may be given. */
    public Duration getJoinTokenMaxTtl() {
        return joinTokenMaxTtl;
    }

    public void setJoinTokenMaxTtl(Duration joinTokenMaxTtl) {
        this.joinTokenMaxTtl = joinTokenMaxTtl;
    }

    /** How long an agent waits for a deployment's workloads to become available. */
    public Duration getDeploymentReadyTimeout() {
        return deploymentReadyTimeout;
    }

    public void setDeploymentReadyTimeout(Duration deploymentReadyTimeout) {
        this.deploymentReadyTimeout = deploymentReadyTimeout;
    }

    /**
     * How often a gateway session looks for queued commands of its agent, besides being woken at once
     * by this replica; this is what lets several hub replicas share one database.
     */
    public Duration getCommandPollInterval() {
        return commandPollInterval;
    }

    public void setCommandPollInterval(Duration commandPollInterval) {
        this.commandPollInterval = commandPollInterval;
    }

    /** How many revisions each deployment keeps to roll back to (the newest ones). */
    public int getDeploymentRevisionsKept() {
        return deploymentRevisionsKept;
    }

    public void setDeploymentRevisionsKept(int deploymentRevisionsKept) {
        this.deploymentRevisionsKept = deploymentRevisionsKept;
    }

    /**
     * How much longer than a command may take (its ready timeout, or its plan's health gates) the hub
     * waits for its result before the operation fails.
     */
    public Duration getOperationResultMargin() {
        return operationResultMargin;
    }

    public void setOperationResultMargin(Duration operationResultMargin) {
        this.operationResultMargin = operationResultMargin;
    }

    /** How often the hub looks for operations whose result is overdue. */
    public Duration getOperationSweepInterval() {
        return operationSweepInterval;
    }

    public void setOperationSweepInterval(Duration operationSweepInterval) {
        this.operationSweepInterval = operationSweepInterval;
    }

    /** Most operations of one environment its agent carries out at once; the others wait in order. */
    public int getMaxConcurrentOperationsPerEnvironment() {
        return maxConcurrentOperationsPerEnvironment;
    }

    public void setMaxConcurrentOperationsPerEnvironment(int maxConcurrentOperationsPerEnvironment) {
        this.maxConcurrentOperationsPerEnvironment = maxConcurrentOperationsPerEnvironment;
    }

    /** Most packages the hub unpacks and renders at once (publish inspections and deployment plans together). */
    public int getMaxConcurrentPackageRenders() {
        return maxConcurrentPackageRenders;
    }

    public void setMaxConcurrentPackageRenders(int maxConcurrentPackageRenders) {
        this.maxConcurrentPackageRenders = maxConcurrentPackageRenders;
    }

    /** How long the response to a request with an Idempotency-Key is kept for its retries (at least 24h). */
    public Duration getIdempotencyKeysKept() {
        return idempotencyKeysKept;
    }

    public void setIdempotencyKeysKept(Duration idempotencyKeysKept) {
        this.idempotencyKeysKept = idempotencyKeysKept;
    }
}
