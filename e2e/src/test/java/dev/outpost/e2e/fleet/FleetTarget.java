package dev.outpost.e2e.fleet;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What {@link FleetBenchmark} measures a fleet against: the hub (one or more replicas) or the bare
 * grpc-java ceiling ({@link BareGateway}). Each is a set of OS processes the benchmark can watch, crash
 * and restart, and a way to send one command to every agent.
 */
public interface FleetTarget extends AutoCloseable {
    /** One line for the report, e.g. "hub on postgresql, 2 replicas". */
    String description();

    /** The gateways agents dial, {@code host:port}; agent {@code i} uses {@code i % size}. */
    List<String> gateways();

    /** The server processes (for CPU and memory). */
    List<Long> pids();

    /** An invitation for agent {@code index}. */
    FleetSimulator.Invitation invite(int index);

    /** Asks for one command to each agent (ids in index order); each request says when it was asked. */
    List<FleetVendor.Request> commandEveryAgent(List<String> agentIds) throws InterruptedException;

    /**
     * Asks for one command to each agent with one request (for the hub a rollout, after {@link
     * #commandEveryAgent} created a deployment per agent); the bare gateway's one request already is.
     */
    default List<FleetVendor.Request> commandEveryAgentInOneRequest(List<String> agentIds) throws InterruptedException {
        return commandEveryAgent(agentIds);
    }

    /**
     * The database connections of every server process now, summed: in use and threads waiting for
     * one; null for a server without a database.
     */
    default DatabaseConnections databaseConnections() {
        return null;
    }

    /** Database connections in use, and threads waiting for one, over every server process. */
    record DatabaseConnections(int active, int waiting) {
    }

    /** Waits until the server has recorded every agent's answer to the commands just asked for. */
    void awaitAllCarriedOut(int agents, Duration patience);

    /** How many agents the server shows connected and heard from after {@code since}. */
    long onlineSince(Instant since);

    /** SIGKILL of every server process. */
    void kill9();

    /** Starts every server process again, on the same ports and data; returns when they are healthy. */
    void restart();

    /** How long the last {@link #restart} took. */
    Duration lastStartTime();
}
