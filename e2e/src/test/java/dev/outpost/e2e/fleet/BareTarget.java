package dev.outpost.e2e.fleet;

import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The bare grpc-java ceiling as a {@link FleetTarget}: any join token enrols, one request fans out. */
final class BareTarget implements FleetTarget {
    private final BareGatewayProcess gateway;
    private long generation;
    private long resultsBefore;

    BareTarget(Path work, String heap, int heartbeatSeconds) {
        this.gateway = new BareGatewayProcess(work.resolve("bare-data"), heap, heartbeatSeconds).start();
    }

    @Override
    public String description() {
        return "bare grpc-java gateway (same TLS and keepalive as the hub, no database)";
    }

    @Override
    public List<String> gateways() {
        return List.of(gateway.gatewayAddress());
    }

    @Override
    public List<Long> pids() {
        return List.of(gateway.pid());
    }

    @Override
    public FleetSimulator.Invitation invite(int index) {
        return new FleetSimulator.Invitation("bare-" + index, gateway.caFingerprint());
    }

    /** One request: the gateway writes the command to every open stream. */
    @Override
    public List<FleetVendor.Request> commandEveryAgent(List<String> agentIds) {
        generation++;
        resultsBefore = gateway.results();
        long asked = System.nanoTime();
        int sent = gateway.fanOut(generation, FleetVendor.MANIFESTS);
        if (sent != agentIds.size()) {
            throw new IllegalStateException("the bare gateway had " + sent + " streams, not " + agentIds.size());
        }
        List<FleetVendor.Request> requests = new ArrayList<>();
        for (String agentId : agentIds) {
            requests.add(new FleetVendor.Request(agentId, generation, "", asked));
        }
        return requests;
    }

    @Override
    public void awaitAllCarriedOut(int agents, Duration patience) {
        await("every result at the bare gateway").atMost(patience).pollInterval(Duration.ofMillis(200))
                .until(() -> gateway.results() - resultsBefore >= agents);
    }

    /** Streams open now (the bare gateway keeps no presence). */
    @Override
    public long onlineSince(Instant since) {
        return gateway.streams();
    }

    @Override
    public void kill9() {
        gateway.kill9();
    }

    @Override
    public void restart() {
        gateway.start();
    }

    @Override
    public Duration lastStartTime() {
        return gateway.lastStartTime();
    }

    @Override
    public void close() {
        gateway.close();
    }
}
