package dev.outpost.agent.connection;

import dev.outpost.agent.commands.CommandDispatcher;
import dev.outpost.agent.commands.HubOutlet;
import dev.outpost.agent.identity.CertificateExpiry;
import dev.outpost.protocol.BusyRetry;
import dev.outpost.protocol.ProtocolRevision;
import dev.outpost.protocol.v1.AgentCondition;
import dev.outpost.protocol.v1.AgentControlGrpc;
import dev.outpost.protocol.v1.AgentMessage;
import dev.outpost.protocol.v1.AppliedDeployment;
import dev.outpost.protocol.v1.ClusterFacts;
import dev.outpost.protocol.v1.Heartbeat;
import dev.outpost.protocol.v1.Hello;
import dev.outpost.protocol.v1.HubMessage;
import dev.outpost.protocol.v1.TrustBundle;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one control stream to the hub open: Hello, then heartbeats at the interval the hub's
 * Welcome names, commands to the dispatcher; on any end of the stream it reconnects after a
 * full-jitter backoff.
 *
 * <p>A refusal of the agent's certificate (PERMISSION_DENIED, UNAUTHENTICATED), of a message it sent
 * (INVALID_ARGUMENT, FAILED_PRECONDITION: the same Hello would be refused again), or a certificate
 * that has expired, is logged as an error and retried slowly rather than ending the process: in a
 * cluster an exit only becomes a crash loop, while a refusal can be temporary (hub restored from
 * backup, store outage) and an operator sees the error either way. The certificate's expiry is also
 * checked at start and then daily on the heartbeat timer, with warnings from a week before.
 */
public final class ControlConnection implements HubOutlet {
    /** A stream that stayed up this long counts as healthy: the next reconnect starts at the base delay. */
    static final Duration STABLE_AFTER = Duration.ofSeconds(30);
    private static final Duration WELCOME_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration MIN_HEARTBEAT = Duration.ofSeconds(1);
    private static final Duration MAX_HEARTBEAT = Duration.ofMinutes(5);
    private static final Duration CERTIFICATE_CHECK_INTERVAL = Duration.ofDays(1);
    private static final Logger LOG = LoggerFactory.getLogger(ControlConnection.class);

    private final ManagedChannel channel;
    private final String agentVersion;
    private final Supplier<ClusterFacts> clusterFacts;
    private final Supplier<List<AppliedDeployment>> applied;
    private final Set<String> allowedNamespaces;
    private final boolean createsNamespaces;
    private final Supplier<AgentCondition> condition;
    private final Backoff backoff;
    private final Backoff refusalBackoff;
    private final CertificateExpiry certificate;
    private final Clock clock;
    private final ScheduledExecutorService timer;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private CommandDispatcher dispatcher;
    private volatile IntConsumer onWelcome = revision -> { };
    private volatile Consumer<Boolean> onStreamEnd = reconnecting -> { };
    private volatile Consumer<TrustBundle> onTrust = bundle -> { };
    private volatile Stream current;

    /** One open stream: its sender, and whether the hub welcomed it. */
    private final class Stream implements ClientResponseObserver<AgentMessage, HubMessage> {
        private final CompletableFuture<Status> ended = new CompletableFuture<>();
        /** The trailers the stream ended with: a busy hub says in them when to come back. */
        private volatile Metadata trailers;
        private ClientCallStreamObserver<AgentMessage> requests;
        private volatile boolean welcomed;
        private ScheduledFuture<?> heartbeats;

        @Override
        public void beforeStart(ClientCallStreamObserver<AgentMessage> requestStream) {
            this.requests = requestStream;
        }

        @Override
        public void onNext(HubMessage message) {
            switch (message.getBodyCase()) {
                case WELCOME -> {
                    welcomed = true;
                    Duration interval = clamp(Duration.ofSeconds(message.getWelcome().getHeartbeatIntervalSeconds()));
                    heartbeats = timer.scheduleAtFixedRate(this::heartbeat, interval.toMillis(), interval.toMillis(),
                            TimeUnit.MILLISECONDS);
                    LOG.info("Connected to hub {} as agent {} (protocol revision {}, heartbeat every {}s)",
                            message.getWelcome().getHubVersion(), message.getWelcome().getAgentId(),
                            message.getWelcome().getProtocolRevision(), interval.toSeconds());
                    onWelcome.accept(message.getWelcome().getProtocolRevision());
                }
                case COMMAND -> {
                    if (!dispatcher.accept(message.getCommand())) {
                        cancel("too many commands waiting");
                    }
                }
                case WITHDRAW -> dispatcher.withdraw(message.getWithdraw());
                case TRUST -> onTrust.accept(message.getTrust());
                default -> LOG.debug("Ignoring an unknown message from the hub");
            }
        }

        @Override
        public void onError(Throwable error) {
            trailers = Status.trailersFromThrowable(error);
            ended.complete(Status.fromThrowable(error));
        }

        @Override
        public void onCompleted() {
            ended.complete(Status.OK.withDescription("hub closed the stream"));
        }

        synchronized boolean send(AgentMessage message, boolean onlyIfReady) {
            if (ended.isDone() || (onlyIfReady && !requests.isReady())) {
                return false;
            }
            requests.onNext(message);
            return true;
        }

        synchronized void cancel(String why) {
            if (!ended.isDone()) {
                requests.cancel(why, null);
            }
        }

        private void heartbeat() {
            // The condition rides on every heartbeat: a few bytes, and the hub needs no other message for it.
            send(AgentMessage.newBuilder().setHeartbeat(Heartbeat.newBuilder().setSentAtUnixMs(clock.millis())
                    .setCondition(condition.get())).build(), false);
        }

        void stopHeartbeats() {
            if (heartbeats != null) {
                heartbeats.cancel(false);
            }
        }
    }

    /**
     * {@code allowedNamespaces} (the agent's --namespaces) and {@code condition} travel in Hello, the
     * condition again in every heartbeat.
     */
    public ControlConnection(ManagedChannel channel, String agentVersion, Supplier<ClusterFacts> clusterFacts,
            Supplier<List<AppliedDeployment>> applied, Set<String> allowedNamespaces, Supplier<AgentCondition> condition,
            Backoff backoff, Backoff refusalBackoff, CertificateExpiry certificate, Clock clock) {
        this(channel, agentVersion, clusterFacts, applied, allowedNamespaces, false, condition, backoff, refusalBackoff,
                certificate, clock);
    }

    /** As above; {@code createsNamespaces} (namespace mode per-deployment) travels in Hello. */
    public ControlConnection(ManagedChannel channel, String agentVersion, Supplier<ClusterFacts> clusterFacts,
            Supplier<List<AppliedDeployment>> applied, Set<String> allowedNamespaces, boolean createsNamespaces,
            Supplier<AgentCondition> condition, Backoff backoff, Backoff refusalBackoff, CertificateExpiry certificate,
            Clock clock) {
        this.createsNamespaces = createsNamespaces;
        this.channel = channel;
        this.agentVersion = agentVersion;
        this.clusterFacts = clusterFacts;
        this.applied = applied;
        this.allowedNamespaces = Set.copyOf(allowedNamespaces);
        this.condition = condition;
        this.backoff = backoff;
        this.refusalBackoff = refusalBackoff;
        this.certificate = certificate;
        this.clock = clock;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "outpost-heartbeat");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** The dispatcher that receives commands; set before {@link #run}. */
    public void setDispatcher(CommandDispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    /** Called with the negotiated protocol revision after each Welcome; must return quickly. */
    public void setOnWelcome(IntConsumer onWelcome) {
        this.onWelcome = onWelcome;
    }

    /** Called with each TrustBundle the hub sends (after Welcome, and at CA rollover steps); set before {@link #run}. */
    public void setOnTrust(Consumer<TrustBundle> onTrust) {
        this.onTrust = onTrust;
    }

    /**
     * Called each time a stream has ended (welcomed or not) with whether another one follows ({@code
     * false} once the agent is stopping); must return quickly.
     */
    public void setOnStreamEnd(Consumer<Boolean> onStreamEnd) {
        this.onStreamEnd = onStreamEnd;
    }

    /** Opens streams one after another until {@link #stop}; returns when stopped. */
    public void run() throws InterruptedException {
        timer.scheduleAtFixedRate(certificate::check, 0, CERTIFICATE_CHECK_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        while (stopped.getCount() > 0) {
            Instant started = clock.instant();
            Stream stream = new Stream();
            Status status = runStream(stream);
            onStreamEnd.accept(stopped.getCount() > 0);
            if (stopped.getCount() == 0) {
                break;
            }
            if (Duration.between(started, clock.instant()).compareTo(STABLE_AFTER) >= 0) {
                backoff.reset();
                refusalBackoff.reset();
            }
            StreamEnd end = StreamEnd.of(status, certificate);
            Optional<Duration> busy = BusyRetry.requested(status, stream.trailers);
            Duration wait;
            if (busy.isPresent()) {
                // The hub said when it can take us: its wait, spread, instead of our own backoff's next.
                wait = BusyRetry.spread(busy.get(), ThreadLocalRandom.current().nextDouble());
                LOG.warn("{}; the hub is busy, reconnecting in {} ms", end.reason(), wait.toMillis());
            } else if (end.refused()) {
                wait = refusalBackoff.next();
                LOG.error("{}. Retrying in {}s.", end.reason(), wait.toSeconds());
            } else {
                wait = backoff.next();
                LOG.warn("{}; reconnecting in {} ms", end.reason(), wait.toMillis());
            }
            if (stopped.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                break;
            }
        }
        timer.shutdownNow();
    }

    /** Ends the current stream and the reconnect loop. */
    public void stop() {
        stopped.countDown();
        Stream stream = current;
        if (stream != null) {
            stream.cancel("agent is stopping");
        }
    }

    @Override
    public boolean send(AgentMessage message) {
        Stream stream = current;
        return stream != null && stream.welcomed && stream.send(message, false);
    }

    @Override
    public boolean sendIfReady(AgentMessage message) {
        Stream stream = current;
        return stream != null && stream.welcomed && stream.send(message, true);
    }

    private Status runStream(Stream stream) throws InterruptedException {
        // Built before the call starts: it may ask the cluster for facts, and the hub times the Hello
        // from the start of the call.
        AgentMessage hello = AgentMessage.newBuilder().setHello(hello()).build();
        current = stream; // before the call starts, so no result finds the agent without a stream
        channel.resetConnectBackoff(); // our backoff paces reconnects, not the channel's own
        AgentControlGrpc.newStub(channel).connect(stream);
        if (stopped.getCount() == 0) {
            stream.cancel("agent is stopping");
        }
        stream.send(hello, false);
        ScheduledFuture<?> welcomeTimeout = timer.schedule(() -> {
            if (!stream.welcomed) {
                stream.cancel("no Welcome within " + WELCOME_TIMEOUT.toSeconds() + "s");
            }
        }, WELCOME_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        try {
            return stream.ended.get();
        } catch (ExecutionException e) {
            return Status.fromThrowable(e.getCause());
        } finally {
            welcomeTimeout.cancel(false);
            stream.stopHeartbeats();
            current = null;
        }
    }

    private Hello hello() {
        List<AppliedDeployment> deployments;
        try {
            deployments = applied.get();
        } catch (RuntimeException e) {
            LOG.warn("Cannot list applied deployments for Hello: {}", e.getMessage());
            deployments = List.of();
        }
        return Hello.newBuilder()
                .setAgentVersion(agentVersion)
                .setProtocolRevision(ProtocolRevision.CURRENT)
                .setCluster(clusterFacts.get())
                .addAllApplied(deployments)
                .addAllAllowedNamespaces(allowedNamespaces.stream().sorted().toList())
                .setCreatesNamespaces(createsNamespaces)
                .setCondition(condition.get())
                .build();
    }

    private static Duration clamp(Duration interval) {
        return interval.compareTo(MIN_HEARTBEAT) < 0 ? MIN_HEARTBEAT
                : interval.compareTo(MAX_HEARTBEAT) > 0 ? MAX_HEARTBEAT : interval;
    }
}
