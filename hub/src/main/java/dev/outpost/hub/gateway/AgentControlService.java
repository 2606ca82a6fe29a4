package dev.outpost.hub.gateway;

import dev.outpost.hub.agents.AgentPresence;
import dev.outpost.hub.config.HubConfig;
import dev.outpost.hub.deployments.CommandOutbox;
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

/** The AgentControl gRPC service: each Connect becomes a {@link ControlSession} of the authenticated agent. */
@Singleton
public class AgentControlService extends AgentControlGrpc.AgentControlImplBase {
    /** How long a stream may stay open without Hello; agents send it first thing. */
    static final Duration HELLO_TIMEOUT = Duration.ofSeconds(30);

    private final ControlSessions sessions;
    private final AgentPresence presence;
    private final CommandOutbox outbox;
    private final GatewayThreads threads;
    private final Clock clock;
    private final HubConfig config;
    private final Duration helloTimeout;

    @Inject
    public AgentControlService(ControlSessions sessions, AgentPresence presence, CommandOutbox outbox,
            GatewayThreads threads, Clock clock, HubConfig config) {
        this(sessions, presence, outbox, threads, clock, config, HELLO_TIMEOUT);
    }

    AgentControlService(ControlSessions sessions, AgentPresence presence, CommandOutbox outbox,
            GatewayThreads threads, Clock clock, HubConfig config, Duration helloTimeout) {
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
                (ServerCallStreamObserver<HubMessage>) responses, sessions, presence, outbox, threads.workers(), clock,
                config.getHeartbeatInterval());
        threads.timer().schedule(() -> session.closeUnlessHelloWithin(helloTimeout), helloTimeout.toMillis(),
                TimeUnit.MILLISECONDS);
        return session;
    }
}
