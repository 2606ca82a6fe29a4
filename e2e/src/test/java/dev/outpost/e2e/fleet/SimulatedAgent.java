package dev.outpost.e2e.fleet;

import com.google.protobuf.ByteString;
import dev.outpost.protocol.BusyRetry;
import dev.outpost.protocol.CaFingerprint;
import dev.outpost.protocol.EcKeys;
import dev.outpost.protocol.GrpcLimits;
import dev.outpost.protocol.Pem;
import dev.outpost.protocol.ProtocolRevision;
import dev.outpost.protocol.v1.AgentCondition;
import dev.outpost.protocol.v1.AgentControlGrpc;
import dev.outpost.protocol.v1.AgentMessage;
import dev.outpost.protocol.v1.AgentState;
import dev.outpost.protocol.v1.ClusterFacts;
import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.CommandProgress;
import dev.outpost.protocol.v1.CommandResult;
import dev.outpost.protocol.v1.EnrollRequest;
import dev.outpost.protocol.v1.EnrollResponse;
import dev.outpost.protocol.v1.EnrollmentGrpc;
import dev.outpost.protocol.v1.Heartbeat;
import dev.outpost.protocol.v1.Hello;
import dev.outpost.protocol.v1.HubMessage;
import dev.outpost.protocol.v1.Outcome;
import dev.outpost.protocol.v1.StepState;
import io.grpc.Attributes;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * One simulated agent speaking the real {@code outpost.v1} protocol with the generated stubs, without
 * the agent's code: it enrols with a join token (a new P-256 key and CSR, TLS pinned to the hub CA's
 * fingerprint), then keeps one mutual-TLS {@code AgentControl.Connect} stream open: Hello, heartbeats at
 * the interval the Welcome names, progress and a result for every command (carried out by its
 * {@link SimulatedCluster}), and on any end of the stream a reconnect after a full-jitter exponential
 * backoff, as the real agent does (1 s doubling to 60 s, starting over after a stream that lived 30 s;
 * a test may lower the cap) or, when the hub refused it as busy, after the wait the hub asked for.
 *
 * <p>It owns no thread: its channel runs on the fleet's shared event loop group and callback executor,
 * its timers on the fleet's shared scheduler.
 */
public final class SimulatedAgent {
    static final String VERSION = "fleet-simulator";
    private static final Duration BACKOFF_BASE = Duration.ofSeconds(1);
    /** The real agent's cap on the wait between reconnects. */
    static final Duration AGENT_BACKOFF_CAP = Duration.ofSeconds(60);
    private static final Duration STABLE_AFTER = Duration.ofSeconds(30);
    private static final Duration WELCOME_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration ENROLL_TIMEOUT = Duration.ofSeconds(60);
    private static final int ENROLL_ATTEMPTS = 5;
    private static final int ENROLL_BUSY_REFUSALS = 60;
    static final int SOURCE_ADDRESSES = 16;

    private final String name;
    private final String host;
    private final int port;
    private final FleetSimulator.Shared shared;
    private final SimulatedCluster cluster;
    private final FleetCounters counters;
    private final long startedMillis = System.currentTimeMillis();
    private final NettyChannelBuilder.LocalSocketPicker sourceAddress;
    private volatile String agentId;
    private volatile ManagedChannel channel;
    /** Opens a new mutual-TLS channel with the enrolled identity; null before enrolment. */
    private volatile Supplier<ManagedChannel> dialler;
    private volatile Stream current;
    private volatile CompletableFuture<Void> redialled;
    private volatile boolean stopped;
    private int attempt;
    private long enrollNanos;

    SimulatedAgent(String name, int index, String host, int port, FleetSimulator.Shared shared, SimulatedCluster cluster,
            FleetCounters counters) {
        this.name = name;
        this.sourceAddress = sourceAddress(index, host);
        this.host = host;
        this.port = port;
        this.shared = shared;
        this.cluster = cluster;
        this.counters = counters;
    }

    public String name() {
        return name;
    }

    /** The id the hub gave at enrolment, null before. */
    public String agentId() {
        return agentId;
    }

    /** How long the Enroll took, key generation and TLS included. */
    long enrollNanos() {
        return enrollNanos;
    }

    public SimulatedCluster cluster() {
        return cluster;
    }

    /**
     * Enrols: blocks the calling thread (one of the fleet's bounded enrolment workers) until the hub
     * answered, then keeps the key and certificate in memory for the control stream.
     */
    void enroll(String joinToken, String caFingerprint) {
        long begin = System.nanoTime();
        KeyPair keys = EcKeys.generateP256();
        ManagedChannel enrolment;
        try {
            enrolment = channelBuilder().sslContext(GrpcSslContexts.forClient()
                    .trustManager(new PinnedHubCa(caFingerprint)).protocols("TLSv1.3").build()).build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS for enrolment", e);
        }
        EnrollRequest request = EnrollRequest.newBuilder().setJoinToken(joinToken)
                .setCsrDer(ByteString.copyFrom(csr(keys))).setAgentVersion(VERSION).setCluster(facts()).build();
        EnrollResponse response;
        try {
            response = enrollWithRetries(enrolment, request);
        } finally {
            enrolment.shutdownNow();
        }
        List<X509Certificate> ca = Pem.parseCertificates(response.getCaBundlePem());
        X509Certificate certificate = Pem.parseCertificate(response.getCertificatePem());
        if (ca.stream().noneMatch(c -> CaFingerprint.matches(caFingerprint, c))) {
            throw new IllegalStateException(name + ": the CA bundle from the hub does not match the pinned fingerprint");
        }
        if (!certificate.getPublicKey().equals(keys.getPublic())) {
            throw new IllegalStateException(name + ": the hub certified another key");
        }
        dialler = () -> mutualTls(keys.getPrivate(), certificate, ca);
        channel = dialler.get();
        agentId = response.getAgentId();
        counters.countEnrolled();
        enrollNanos = System.nanoTime() - begin;
    }

    /**
     * As the real agent: a hub that is unreachable is tried again after a full-jitter backoff (here at
     * most {@value #ENROLL_ATTEMPTS} attempts, the worker thread waiting), a busy one after the wait it
     * asks for (at most {@value #ENROLL_BUSY_REFUSALS} times); a refusal is final.
     */
    private EnrollResponse enrollWithRetries(ManagedChannel enrolment, EnrollRequest request) {
        int failures = 0;
        int busyRefusals = 0;
        while (true) {
            try {
                return EnrollmentGrpc.newBlockingStub(enrolment)
                        .withDeadlineAfter(ENROLL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).enroll(request);
            } catch (StatusRuntimeException e) {
                Status.Code code = e.getStatus().getCode();
                Optional<Duration> busy = BusyRetry.requested(e.getStatus(), e.getTrailers());
                boolean retryable = code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED
                        || code == Status.Code.RESOURCE_EXHAUSTED;
                if (busy.isPresent()) {
                    busyRefusals++;
                    counters.countBusyRefusal();
                } else {
                    failures++;
                }
                if (!retryable || failures >= ENROLL_ATTEMPTS || busyRefusals >= ENROLL_BUSY_REFUSALS) {
                    throw new IllegalStateException(name + ": enrolment failed after " + failures + " failures and "
                            + busyRefusals + " busy refusals: " + e.getStatus(), e);
                }
                enrolment.resetConnectBackoff();
                long ceiling = BACKOFF_BASE.toMillis() << Math.min(failures, 4);
                long wait = busy.map(asked -> BusyRetry.spread(asked, ThreadLocalRandom.current().nextDouble()).toMillis())
                        .orElseGet(() -> (long) (ThreadLocalRandom.current().nextDouble() * ceiling));
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(name + ": interrupted while enrolling", interrupted);
                }
            }
        }
    }

    /** Opens the control stream (and keeps one open until {@link #stop}). */
    void start() {
        if (channel == null) {
            throw new IllegalStateException(name + " is not enrolled");
        }
        openStream();
    }

    /**
     * Drops the connection and dials again at once: a new channel (TCP and a full TLS handshake), Hello,
     * and no backoff, as when a network blip ends every agent's connection together. Completes at the
     * new stream's Welcome; a hub that refuses it as busy is tried again after the wait it asks for.
     */
    CompletableFuture<Void> redial() {
        if (channel == null) {
            throw new IllegalStateException(name + " is not enrolled");
        }
        CompletableFuture<Void> welcomed = new CompletableFuture<>();
        redialled = welcomed;
        Stream old = current;
        ManagedChannel oldChannel = channel;
        if (old != null) {
            old.replaced = true;
            old.cancel("the simulated agent redials");
        }
        channel = dialler.get();
        oldChannel.shutdownNow();
        openStream();
        return welcomed;
    }

    /** Ends the stream and stops reconnecting; the channel is closed. */
    void stop() {
        stopped = true;
        Stream stream = current;
        if (stream != null) {
            stream.cancel("the simulated agent stops");
        }
        if (channel != null) {
            channel.shutdownNow();
        }
    }

    private void openStream() {
        if (stopped) {
            return;
        }
        Stream stream = new Stream();
        current = stream;
        channel.resetConnectBackoff(); // our backoff paces reconnects, not the channel's own
        AgentControlGrpc.newStub(channel).connect(stream);
        stream.send(AgentMessage.newBuilder().setHello(Hello.newBuilder()
                .setAgentVersion(VERSION)
                .setProtocolRevision(ProtocolRevision.CURRENT)
                .setCluster(facts())
                .addAllApplied(cluster.applied())
                .setCondition(ready())).build());
        stream.welcomeTimeout = shared.scheduler().schedule(() -> {
            if (!stream.welcomed) {
                stream.cancel("no Welcome within " + WELCOME_TIMEOUT.toSeconds() + "s");
            }
        }, WELCOME_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Called once per stream, when it ended for any reason. */
    private void streamEnded(Stream stream, Status status, Metadata trailers) {
        stream.stopTimers();
        counters.streamEnded(stream.welcomed, status.getCode());
        Optional<Duration> busy = BusyRetry.requested(status, trailers);
        if (current == stream) {
            current = null;
        }
        if (stopped || stream.replaced) {
            return;
        }
        long wait;
        synchronized (this) {
            if (stream.welcomed && System.nanoTime() - stream.openedNanos >= STABLE_AFTER.toNanos()) {
                attempt = 0;
            }
            if (busy.isPresent()) {
                // as the real agent: the hub's wait, spread, in place of the backoff's next step
                wait = BusyRetry.spread(busy.get(), ThreadLocalRandom.current().nextDouble()).toMillis();
            } else {
                long ceiling = Math.min(shared.backoffCap().toMillis(), BACKOFF_BASE.toMillis() << Math.min(attempt, 16));
                attempt++;
                wait = (long) (ThreadLocalRandom.current().nextDouble() * ceiling);
            }
        }
        shared.scheduler().schedule(this::openStream, wait, TimeUnit.MILLISECONDS);
    }

    private void onCommand(Stream stream, Command command) {
        CommandResult earlier = cluster.finished(command.getCommandId());
        counters.commandReceived(command, earlier != null);
        if (earlier == null) {
            String step = command.hasDelete() ? "delete" : "apply";
            stream.send(AgentMessage.newBuilder().setProgress(CommandProgress.newBuilder()
                    .setCommandId(command.getCommandId())
                    .addSteps(SimulatedCluster.step(step, StepState.STEP_STATE_RUNNING, ""))).build());
        }
        cluster.execute(command).whenComplete((result, error) -> {
            CommandResult answer = error == null ? result : CommandResult.newBuilder()
                    .setCommandId(command.getCommandId()).setOutcome(Outcome.OUTCOME_FAILED)
                    .setFailureReason("the simulated cluster failed: " + error).build();
            // On the stream open now, as the real agent does; if there is none the hub re-sends the command.
            Stream now = current;
            if (now != null && now.welcomed && now.send(AgentMessage.newBuilder().setResult(answer).build())) {
                counters.resultSent(command, answer);
            }
        });
    }

    private final class Stream implements ClientResponseObserver<AgentMessage, HubMessage> {
        final long openedNanos = System.nanoTime();
        /** Ended by {@link #redial}, which opened the next stream itself. */
        volatile boolean replaced;
        private ClientCallStreamObserver<AgentMessage> requests;
        private volatile boolean welcomed;
        private boolean ended;
        volatile ScheduledFuture<?> welcomeTimeout;
        private volatile ScheduledFuture<?> heartbeats;

        @Override
        public void beforeStart(ClientCallStreamObserver<AgentMessage> requestStream) {
            requests = requestStream;
        }

        @Override
        public void onNext(HubMessage message) {
            switch (message.getBodyCase()) {
                case WELCOME -> {
                    long interval = Math.clamp(message.getWelcome().getHeartbeatIntervalSeconds(), 1, 300) * 1000L;
                    synchronized (this) {
                        if (ended || welcomed) {
                            return;
                        }
                        welcomed = true;
                        // spread first beats over the interval so a fleet welcomed at once does not beat at once
                        heartbeats = shared.scheduler().scheduleAtFixedRate(this::heartbeat,
                                ThreadLocalRandom.current().nextLong(interval) + 1, interval, TimeUnit.MILLISECONDS);
                    }
                    counters.countWelcome();
                    CompletableFuture<Void> waiting = redialled;
                    if (waiting != null) {
                        redialled = null;
                        waiting.complete(null);
                    }
                }
                case COMMAND -> onCommand(this, message.getCommand());
                default -> {
                    // a newer hub's message: ignored, as the real agent does
                }
            }
        }

        @Override
        public void onError(Throwable error) {
            end(Status.fromThrowable(error), Status.trailersFromThrowable(error));
        }

        @Override
        public void onCompleted() {
            end(Status.OK.withDescription("the hub closed the stream"), null);
        }

        private void end(Status status, Metadata trailers) {
            synchronized (this) {
                if (ended) {
                    return;
                }
                ended = true;
            }
            streamEnded(this, status, trailers);
        }

        synchronized boolean send(AgentMessage message) {
            if (ended) {
                return false;
            }
            requests.onNext(message);
            return true;
        }

        synchronized void cancel(String why) {
            if (!ended) {
                requests.cancel(why, null);
            }
        }

        private void heartbeat() {
            if (send(AgentMessage.newBuilder().setHeartbeat(Heartbeat.newBuilder()
                    .setSentAtUnixMs(System.currentTimeMillis()).setCondition(ready())).build())) {
                counters.countHeartbeat();
            }
        }

        void stopTimers() {
            ScheduledFuture<?> beats = heartbeats;
            if (beats != null) {
                beats.cancel(false);
            }
            ScheduledFuture<?> timeout = welcomeTimeout;
            if (timeout != null) {
                timeout.cancel(false);
            }
        }
    }

    private AgentCondition ready() {
        return AgentCondition.newBuilder().setState(AgentState.AGENT_STATE_READY).setSinceUnixMs(startedMillis).build();
    }

    private static ClusterFacts facts() {
        return ClusterFacts.newBuilder().setKubernetesVersion("v1.31.0").setPlatform("simulated").setNodeCount(3).build();
    }

    private NettyChannelBuilder channelBuilder() {
        return NettyChannelBuilder.forAddress(host, port)
                .localSocketPicker(sourceAddress)
                .eventLoopGroup(shared.eventLoops())
                .channelType(NioSocketChannel.class)
                .executor(shared.callbacks())
                .maxInboundMessageSize(GrpcLimits.MAX_MESSAGE_BYTES);
    }

    /**
     * Agents dialling a loopback hub spread over {@value #SOURCE_ADDRESSES} source addresses
     * (127.0.0.2 to 127.0.0.{@value #SOURCE_ADDRESSES}+1, all on Linux's loopback), so that a fleet is
     * not bounded by the ephemeral ports of one address; for any other hub the system picks. Not
     * 127.0.0.1, where the servers under test listen: an agent's source port there could take the port
     * a server about to (re)start was given.
     */
    private static NettyChannelBuilder.LocalSocketPicker sourceAddress(int index, String host) {
        if (!host.startsWith("127.")) {
            return new NettyChannelBuilder.LocalSocketPicker();
        }
        InetSocketAddress source = new InetSocketAddress("127.0.0." + (2 + index % SOURCE_ADDRESSES), 0);
        return new NettyChannelBuilder.LocalSocketPicker() {
            @Override
            public SocketAddress createSocketAddress(SocketAddress remote, Attributes attributes) {
                return source;
            }
        };
    }

    private ManagedChannel mutualTls(PrivateKey key, X509Certificate certificate, List<X509Certificate> ca) {
        try {
            SslContext tls = GrpcSslContexts.forClient().keyManager(key, certificate)
                    .trustManager(ca.toArray(X509Certificate[]::new)).protocols("TLSv1.3").build();
            return channelBuilder().sslContext(tls)
                    .keepAliveTime(GrpcLimits.CLIENT_KEEPALIVE_TIME.toMillis(), TimeUnit.MILLISECONDS)
                    .keepAliveTimeout(GrpcLimits.CLIENT_KEEPALIVE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .keepAliveWithoutCalls(true)
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up mutual TLS with the new certificate", e);
        }
    }

    private static byte[] csr(KeyPair keys) {
        try {
            return new JcaPKCS10CertificationRequestBuilder(new X500Principal("CN=outpost-fleet-simulator"),
                    keys.getPublic()).build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()))
                    .getEncoded();
        } catch (OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot make a CSR", e);
        }
    }
}
