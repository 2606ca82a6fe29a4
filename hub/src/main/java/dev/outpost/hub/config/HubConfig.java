package dev.outpost.hub.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Every setting of the hub, under the {@code outpost.} prefix; environment variables override them
 * (OUTPOST_DATA_DIR → outpost.data-dir, and so on). docs/configuration.md lists them all.
 */
@ConfigurationProperties("outpost")
public class HubConfig {
    private Path dataDir = Path.of("outpost-data");
    private int httpPort = 8080;
    private int grpcPort = 8443;
    private String grpcBindAddress = "0.0.0.0";
    private List<String> grpcHostnames = List.of("localhost", "127.0.0.1");
    private String adminToken;
    private String dbUrl;
    private String dbUser;
    private String dbPassword;
    private Duration heartbeatInterval = Duration.ofSeconds(10);
    private Duration offlineAfter = Duration.ofSeconds(30);
    private Duration agentCertificateTtl = Duration.ofDays(30);
    private Duration joinTokenDefaultTtl = Duration.ofHours(1);
    private Duration joinTokenMaxTtl = Duration.ofDays(7);
    private Duration deploymentReadyTimeout = Duration.ofMinutes(5);
    private Duration commandPollInterval = Duration.ofSeconds(2);

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
}
