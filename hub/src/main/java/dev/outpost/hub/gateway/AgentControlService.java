package dev.outpost.hub.gateway;

import dev.outpost.hub.agents.AgentPresence;
import dev.outpost.hub.config.HubConfig;
import dev.outpost.hub.deployments.CommandOutbox;
import dev.outpost.hub.drift.DriftReports;
import dev.outpost.protocol.v1.AgentControlGrpc;
import dev.outpost.protocol.v1.AgentMessage;
import dev.outpost.protocol.v1.HubMessage;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The AgentControl gRPC service: each Connect becomes a {@link ControlSession} of the authenticated agent. */
@Singleton
public class AgentControlService extends AgentControlGrpc.AgentControlImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(AgentControlService.class);
    /** How long a stream may stay open without Hello; agents send it first thing. */
    static final Duration HELLO_TIMEOUT = Duration.ofSeconds(30);

    private final ControlSessions sessions;
    private final AgentPresence presence;
    private final CommandOutbox outbox;
    private final DriftReports drift;
    private final GatewayThreads threads;
    private final Clock clock;
    private final HubConfig config;
    private final Duration helloTimeout;

    @Inject
    public AgentControlService(ControlSessions sessions, AgentPresence presence, CommandOutbox outbox,
            DriftReports drift, GatewayThreads threads, Clock clock, HubConfig config) {
        this(sessions, presence, outbox, drift, threads, clock, config, HELLO_TIMEOUT);
    }

    /** Without a store for drift: reports are logged and dropped (gateway tests without a database). */
    AgentControlService(ControlSessions sessions, AgentPresence presence, CommandOutbox outbox,
            GatewayThreads threads, Clock clock, HubConfig config, Duration helloTimeout) {
        this(sessions, presence, outbox, (environmentId, agentId, report) -> LOG.info(
                "drift report of agent {} dropped: no drift store", agentId), threads, clock, config, helloTimeout);
    }

    AgentControlService(ControlSessions sessions, AgentPresence presence, CommandOutbox outbox, DriftReports drift,
            GatewayThreads threads, Clock clock, HubConfig config, Duration helloTimeout) {
        this.drift = drift;
        this.sessions = sessions;
        this.presence = presence;
        this.outbox = outbox;
        this.threads = threads;
        this.clock = clock;
        this.config = config;
        this.helloTimeout = helloTimeout;
    }

    @Override
    public StreamObserver<AgentMessage> connect(StreamObserver<HubMessage> responses) {
        ControlSession session = new ControlSession(AuthenticatedAgent.current(),
                (ServerCallStreamObserver<HubMessage>) responses, sessions, presence, outbox, drift, threads.workers(), clock,
                config.getHeartbeatInterval());
        threads.timer().schedule(() -> session.closeUnlessHelloWithin(helloTimeout), helloTimeout.toMillis(),
                TimeUnit.MILLISECONDS);
        return session;
    }
}
