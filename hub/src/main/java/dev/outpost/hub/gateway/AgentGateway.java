package dev.outpost.hub.gateway;

import dev.outpost.hub.agents.AgentPresence;
import dev.outpost.hub.config.HubConfig;
import dev.outpost.hub.enrollment.EnrollmentGrpcService;
import dev.outpost.hub.limits.RequestLimiter;
import dev.outpost.hub.enrollment.GatewayPortSource;
import dev.outpost.hub.pki.GatewayKeyMaterial;
import dev.outpost.hub.pki.HubCertificateAuthority;
import dev.outpost.protocol.GrpcLimits;
import dev.outpost.protocol.v1.TelemetryGrpc;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.micronaut.context.annotation.Context;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent gateway: a gRPC server over TLS, started with the hub. Enrollment works without a client
 * certificate (the join token is the credential); AgentControl, Telemetry and CertificateRenewal require one
 * signed by the hub CA.
 */
@Context
public class AgentGateway implements AutoCloseable, GatewayPortSource {
    private static final Logger LOG = LoggerFactory.getLogger(AgentGateway.class);
    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration REVALIDATE_EVERY = Duration.ofSeconds(30);
    /** A revoked agent's stream is cut within this on every replica (within 5 s, issue #12). */
    private static final Duration REVOCATION_POLL = Duration.ofSeconds(2);
    /** Revocations looked at by each poll: several polls' worth, for replicas whose clocks differ a little. */
    private static final Duration REVOCATION_LOOKBACK = Duration.ofSeconds(30);
    /** Pings from the hub find agents whose connection died without a FIN (NAT timeouts, crashed nodes). */
    private static final Duration SERVER_KEEPALIVE_TIME = Duration.ofMinutes(1);
    private static final Duration SERVER_KEEPALIVE_TIMEOUT = Duration.ofSeconds(20);
    /**
     * A connection without a call is closed after this long. An agent's control connection always
     * holds its stream, so this bounds connections that enrolled, were refused, or never authenticated.
     */
    private static final Duration MAX_CONNECTION_IDLE = Duration.ofSeconds(30);
    private static final int MAX_CALLS_PER_CONNECTION = 8;
    private static final int MAX_METADATA_BYTES = 16 * 1024;

    private final HubConfig config;
    private final HubCertificateAuthority ca;
    private final GatewayConfig limits;
    private GatewayKeyManager keyManager;
    private ClientCaTrust clientTrust;
    private final EnrollmentGrpcService enrollment;
    private final AgentControlService control;
    private final ControlSessions sessions;
    private final AgentPresence presence;
    private final GatewayThreads threads;
    private final BindableService telemetry;
    private final CertificateRenewalService renewal;
    private final EnrolmentRateLimit enrolmentRate;
    private final HandshakeAdmission admission;
    private final Clock clock;
    private Server server;

    /** Without telemetry ingestion: Telemetry answers UNIMPLEMENTED (gateway tests without a database). */
    public AgentGateway(HubConfig config, GatewayConfig limits, HubCertificateAuthority ca,
            EnrollmentGrpcService enrollment, AgentControlService control, CertificateRenewalService renewal,
            ControlSessions sessions, AgentPresence presence, GatewayThreads threads, Clock clock, RequestLimiter limiter) {
        this(config, limits, ca, enrollment, control, renewal, sessions, presence, threads, clock, limiter,
                new TelemetryGrpc.TelemetryImplBase() {
                });
    }

    @Inject
    public AgentGateway(HubConfig config, GatewayConfig limits, HubCertificateAuthority ca,
            EnrollmentGrpcService enrollment, AgentControlService control, CertificateRenewalService renewal,
            ControlSessions sessions, AgentPresence presence, GatewayThreads threads, Clock clock,
            RequestLimiter limiter, TelemetryService telemetry) {
        this(config, limits, ca, enrollment, control, renewal, sessions, presence, threads, clock, limiter,
                (BindableService) telemetry);
    }

    private AgentGateway(HubConfig config, GatewayConfig limits, HubCertificateAuthority ca,
            EnrollmentGrpcService enrollment, AgentControlService control, CertificateRenewalService renewal,
            ControlSessions sessions, AgentPresence presence, GatewayThreads threads, Clock clock,
            RequestLimiter limiter, BindableService telemetry) {
        this.renewal = renewal;
        this.enrolmentRate = new EnrolmentRateLimit(limiter, clock);
        this.admission = new HandshakeAdmission(limits, clock);
        this.limits = limits;
        this.clock = clock;
        this.telemetry = telemetry;
        this.config = config;
        this.ca = ca;
        this.enrollment = enrollment;
        this.control = control;
        this.sessions = sessions;
        this.presence = presence;
        this.threads = threads;
    }

    /** Binds the port and starts the periodic chores; the hub fails to start if the port is taken. */
    @PostConstruct
    public synchronized void start() {
        GrpcTransportLog.install();
        GatewayKeyMaterial keys = ca.gatewayKeyMaterial(config.getGrpcHostnames());
        keyManager = new GatewayKeyManager(keys);
        clientTrust = new ClientCaTrust(keys.clientCas());
        InetSocketAddress address = new InetSocketAddress(config.getGrpcBindAddress(), config.getGrpcPort());
        RequestDeadline deadline = new RequestDeadline(GrpcLimits.REQUEST_DEADLINE, threads.timer());
        server = NettyServerBuilder.forAddress(address)
                .sslContext(sslContext(keyManager, clientTrust))
                .executor(threads.workers())
                .handshakeTimeout(HANDSHAKE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .maxInboundMessageSize(GrpcLimits.MAX_MESSAGE_BYTES)
                .maxInboundMetadataSize(MAX_METADATA_BYTES)
                .maxConcurrentCallsPerConnection(MAX_CALLS_PER_CONNECTION)
                .permitKeepAliveTime(GrpcLimits.SERVER_PERMIT_KEEPALIVE_TIME.toMillis(), TimeUnit.MILLISECONDS)
                .permitKeepAliveWithoutCalls(true)
                .keepAliveTime(SERVER_KEEPALIVE_TIME.toMillis(), TimeUnit.MILLISECONDS)
                .keepAliveTimeout(SERVER_KEEPALIVE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .maxConnectionIdle(MAX_CONNECTION_IDLE.toMillis(), TimeUnit.MILLISECONDS)
                // The last interceptor listed runs first: admission before any store lookup.
                .addService(ServerInterceptors.intercept(UnparsableMessages.refusedIn(enrollment.bindService()),
                        admission, enrolmentRate, deadline))
                .addService(ServerInterceptors.intercept(UnparsableMessages.refusedIn(control.bindService()),
                        new ClientCertificateInterceptor(presence), admission, deadline))
                .addService(ServerInterceptors.intercept(UnparsableMessages.refusedIn(telemetry.bindService()),
                        new ClientCertificateInterceptor(presence), deadline))
                .addService(ServerInterceptors.intercept(UnparsableMessages.refusedIn(renewal.bindService()),
                        new ClientCertificateInterceptor(presence), deadline))
                .build();
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Agent gateway cannot listen on " + address, e);
        }
        schedule();
        LOG.info("Agent gateway listening on {}:{} for {} (CA fingerprint {})", config.getGrpcBindAddress(),
                server.getPort(), config.getGrpcHostnames(), ca.caFingerprint());
    }

    /** The port the gateway listens on (the configured one, or the one picked for port 0). */
    @Override
    public synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("agent gateway is not started");
        }
        return server.getPort();
    }

    @Override
    @PreDestroy
    public synchronized void close() {
        if (server == null) {
            return;
        }
        sessions.closeAll(Status.UNAVAILABLE.withDescription("hub is shutting down"));
        server.shutdown();
        try {
            if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        server = null;
        LOG.info("Agent gateway stopped");
    }

    private void schedule() {
        long poll = Math.max(100, config.getCommandPollInterval().toMillis());
        long sweep = Math.clamp(config.getOfflineAfter().toMillis() / 3, 1000, 5000);
        long lastSeen = lastSeenFlushInterval(config).toMillis();
        threads.timer().scheduleWithFixedDelay(guarded("poll", sessions::pollQueued), poll, poll, TimeUnit.MILLISECONDS);
        threads.timer().scheduleWithFixedDelay(guarded("last-seen write", sessions::flushLastSeen), lastSeen, lastSeen,
                TimeUnit.MILLISECONDS);
        threads.timer().scheduleWithFixedDelay(guarded("offline sweep", this::sweep), sweep, sweep, TimeUnit.MILLISECONDS);
        threads.timer().scheduleWithFixedDelay(guarded("revocation poll", () -> sessions.closeRecentlyRevoked(
                clock.instant().minus(REVOCATION_LOOKBACK))), REVOCATION_POLL.toMillis(), REVOCATION_POLL.toMillis(),
                TimeUnit.MILLISECONDS);
        threads.timer().scheduleWithFixedDelay(guarded("revalidation", sessions::closeRevoked),
                REVALIDATE_EVERY.toMillis(), REVALIDATE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        long caReload = Math.max(100, limits.getCaReloadInterval().toMillis());
        threads.timer().scheduleWithFixedDelay(guarded("CA reload", this::reloadCa), caReload, caReload,
                TimeUnit.MILLISECONDS);
    }

    /**
     * Takes in a CA rollover step: new handshakes present a gateway certificate of the signing CA and
     * accept client certificates of every trusted one, and connected agents are sent the new trust.
     * Open connections stay as they are.
     */
    void reloadCa() {
        if (!ca.reload()) {
            return;
        }
        GatewayKeyMaterial keys = ca.gatewayKeyMaterialAfterRollover(config.getGrpcHostnames());
        clientTrust.trust(keys.clientCas());
        keyManager.replace(keys);
        sessions.trustChanged();
    }

    /**
     * How often last-seen is written for all streams: once per heartbeat interval, and at least three
     * times within outpost.offline-after, so a live agent is never swept offline between two writes.
     */
    static Duration lastSeenFlushInterval(HubConfig config) {
        Duration third = config.getOfflineAfter().dividedBy(3);
        Duration interval = config.getHeartbeatInterval().compareTo(third) < 0 ? config.getHeartbeatInterval() : third;
        return interval.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : interval;
    }

    private void sweep() {
        sessions.closeSilent(config.getOfflineAfter());
        int marked = presence.markSilentOffline(config.getOfflineAfter());
        if (marked > 0) {
            LOG.info("Marked {} silent agent(s) offline", marked);
        }
    }

    private static SslContext sslContext(GatewayKeyManager keys, ClientCaTrust trust) {
        try {
            return GrpcSslContexts.configure(SslContextBuilder.forServer(keys))
                    .trustManager(trust)
                    .clientAuth(ClientAuth.OPTIONAL)
                    .protocols("TLSv1.3")
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("Cannot build the gateway's TLS context", e);
        }
    }

    /** Chores must not die on one failure: a thrown exception would cancel the schedule. */
    private static Runnable guarded(String name, Runnable chore) {
        return () -> {
            try {
                chore.run();
            } catch (RuntimeException e) {
                LOG.warn("Agent gateway {} failed; retrying next time", name, e);
            }
        };
    }
}
