package dev.outpost.agent.connection;

import dev.outpost.protocol.BusyRetry;
import dev.outpost.protocol.Pem;
import dev.outpost.protocol.v1.AgentControlGrpc;
import dev.outpost.protocol.v1.AgentMessage;
import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.CommandResult;
import dev.outpost.protocol.v1.EnrollRequest;
import dev.outpost.protocol.v1.EnrollResponse;
import dev.outpost.protocol.v1.EnrollmentGrpc;
import dev.outpost.protocol.v1.Hello;
import dev.outpost.protocol.v1.HubMessage;
import dev.outpost.protocol.v1.Welcome;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * A small hub for agent tests: real gRPC over TLS on loopback with a test CA. Accepts the join
 * token "good.token", welcomes any agent with a certificate from its CA, records what agents send.
 */
public final class TestHub implements AutoCloseable {
    public static final String GOOD_TOKEN = "good.token";
    public static final String IDENTITY_URI = "spiffe://outpost.dev/tenants/t1/environments/e1/agents/a1";

    public final TestPki pki;
    public final AtomicInteger enrollCalls = new AtomicInteger();
    public final List<Hello> hellos = new CopyOnWriteArrayList<>();
    public final List<AgentMessage> received = new CopyOnWriteArrayList<>();
    /** When each control stream was opened (System.nanoTime), refused or not. */
    public final List<Long> connectAttempts = new CopyOnWriteArrayList<>();
    private final AtomicInteger busyRefusalsLeft = new AtomicInteger();
    private volatile Duration busyRetryAfter = Duration.ZERO;
    private volatile StreamObserver<HubMessage> stream;
    private Server server;
    private int port;

    private final String[] tlsProtocols;

    public TestHub(TestPki pki) {
        this(pki, "TLSv1.3", "TLSv1.2");
    }

    /** A hub that offers only {@code tlsProtocols}, e.g. "TLSv1.2" for an old or misconfigured one. */
    public TestHub(TestPki pki, String... tlsProtocols) {
        this.pki = pki;
        this.tlsProtocols = tlsProtocols;
    }

    /** Starts on a free port the first time, on the same port after {@link #stop}. */
    public synchronized TestHub start() throws Exception {
        ServerInterceptor requireCertificate = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                    ServerCallHandler<Q, R> next) {
                try {
                    call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION).getPeerCertificates();
                    return next.startCall(call, headers);
                } catch (SSLPeerUnverifiedException | NullPointerException e) {
                    call.close(Status.UNAUTHENTICATED.withDescription("client certificate required"), new Metadata());
                    return new ServerCall.Listener<>() {
                    };
                }
            }
        };
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                .sslContext(GrpcSslContexts.configure(SslContextBuilder.forServer(pki.serverKeys.getPrivate(), pki.server, pki.ca))
                        .trustManager(pki.ca).clientAuth(ClientAuth.OPTIONAL).protocols(tlsProtocols).build())
                .addService(new Enrollment())
                .addService(ServerInterceptors.intercept(new Control(), requireCertificate))
                .build()
                .start();
        port = server.getPort();
        return this;
    }

    public synchronized void stop() throws InterruptedException {
        server.shutdownNow();
        server.awaitTermination(10, TimeUnit.SECONDS);
    }

    /** Refuses the next {@code count} control streams as a busy hub does, asking for {@code retryAfter}. */
    public void refuseAsBusy(int count, Duration retryAfter) {
        busyRetryAfter = retryAfter;
        busyRefusalsLeft.set(count);
    }

    public int port() {
        return port;
    }

    /** Sends a command on the agent's current stream. */
    public void push(Command command) {
        StreamObserver<HubMessage> current = stream;
        synchronized (this) {
            current.onNext(HubMessage.newBuilder().setCommand(command).build());
        }
    }

    public List<CommandResult> results() {
        return received.stream().filter(AgentMessage::hasResult).map(AgentMessage::getResult).toList();
    }

    public long heartbeats() {
        return received.stream().filter(AgentMessage::hasHeartbeat).count();
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private final class Enrollment extends EnrollmentGrpc.EnrollmentImplBase {
        @Override
        public void enroll(EnrollRequest request, StreamObserver<EnrollResponse> response) {
            enrollCalls.incrementAndGet();
            if (!request.getJoinToken().equals(GOOD_TOKEN)) {
                response.onError(Status.UNAUTHENTICATED.withDescription("join token is unknown").asRuntimeException());
                return;
            }
            var certificate = pki.signCsr(request.getCsrDer().toByteArray(), IDENTITY_URI);
            response.onNext(EnrollResponse.newBuilder().setAgentId("a1").setTenantId("t1").setEnvironmentId("e1")
                    .setCertificatePem(Pem.certificate(certificate)).setCaBundlePem(Pem.certificate(pki.ca))
                    .setCertificateNotAfterUnixMs(certificate.getNotAfter().getTime()).build());
            response.onCompleted();
        }
    }

    private final class Control extends AgentControlGrpc.AgentControlImplBase {
        @Override
        public StreamObserver<AgentMessage> connect(StreamObserver<HubMessage> responses) {
            connectAttempts.add(System.nanoTime());
            if (busyRefusalsLeft.getAndDecrement() > 0) {
                responses.onError(Status.RESOURCE_EXHAUSTED.withDescription("hub busy")
                        .asRuntimeException(BusyRetry.trailers(busyRetryAfter)));
                return new StreamObserver<>() {
                    @Override
                    public void onNext(AgentMessage message) {
                    }

                    @Override
                    public void onError(Throwable error) {
                    }

                    @Override
                    public void onCompleted() {
                    }
                };
            }
            return new StreamObserver<>() {
                @Override
                public void onNext(AgentMessage message) {
                    received.add(message);
                    if (message.hasHello()) {
                        hellos.add(message.getHello());
                        synchronized (TestHub.this) {
                            responses.onNext(HubMessage.newBuilder().setWelcome(Welcome.newBuilder().setAgentId("a1")
                                    .setProtocolRevision(1).setHeartbeatIntervalSeconds(1).setHubVersion("test")).build());
                        }
                        stream = responses;
                    }
                }

                @Override
                public void onError(Throwable error) {
                }

                @Override
                public void onCompleted() {
                    responses.onCompleted();
                }
            };
        }
    }
}
