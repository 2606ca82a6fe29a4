package dev.outpost.hub.deployments.lifecycle;

import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.outpost.hub.pki.TestCsr;
import dev.outpost.protocol.GrpcLimits;
import dev.outpost.protocol.Pem;
import dev.outpost.protocol.v1.AgentCondition;
import dev.outpost.protocol.v1.AgentControlGrpc;
import dev.outpost.protocol.v1.AgentMessage;
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
import dev.outpost.protocol.v1.Withdraw;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.stub.StreamObserver;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A scripted agent on a real control stream (TLS with the certificate the hub issued it): it enrols
 * with a join token, connects, says Hello, records the commands it is sent and answers them as the
 * test says. It can reconnect to a restarted hub with the same identity.
 */
final class TestAgent implements AutoCloseable {
    private final KeyPair keys;
    private final EnrollResponse enrolled;
    private final List<Command> received = new CopyOnWriteArrayList<>();
    private final List<Withdraw> withdrawals = new CopyOnWriteArrayList<>();
    private ManagedChannel channel;
    private StreamObserver<AgentMessage> requests;
    private final AtomicBoolean open = new AtomicBoolean();

    private TestAgent(KeyPair keys, EnrollResponse enrolled) {
        this.keys = keys;
        this.enrolled = enrolled;
    }

    /** Enrols through the hub's Enrollment service with {@code joinToken}. */
    static TestAgent enrol(LifecycleHub hub, String joinToken) {
        try {
            KeyPair keys = TestCsr.p256();
            ManagedChannel anonymous = channel(hub, GrpcSslContexts.forClient());
            try {
                EnrollResponse response = EnrollmentGrpc.newBlockingStub(anonymous).withDeadlineAfter(20, TimeUnit.SECONDS)
                        .enroll(EnrollRequest.newBuilder().setJoinToken(joinToken)
                                .setCsrDer(ByteString.copyFrom(TestCsr.csr(keys))).setAgentVersion("0.2.0")
                                .setCluster(cluster()).build());
                return new TestAgent(keys, response);
            } finally {
                anonymous.shutdownNow();
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    String id() {
        return enrolled.getAgentId();
    }

    /** Opens the control stream to {@code hub} and says Hello (revision 1, namespace "apps"). */
    TestAgent connect(LifecycleHub hub) {
        X509Certificate certificate = Pem.parseCertificate(enrolled.getCertificatePem());
        channel = channel(hub, GrpcSslContexts.forClient().keyManager(keys.getPrivate(), certificate));
        open.set(true);
        requests = AgentControlGrpc.newStub(channel).connect(new StreamObserver<>() {
            @Override
            public void onNext(HubMessage message) {
                if (message.hasCommand()) {
                    received.add(message.getCommand());
                }
                if (message.hasWithdraw()) {
                    withdrawals.add(message.getWithdraw());
                }
            }

            @Override
            public void onError(Throwable error) {
                open.set(false);
            }

            @Override
            public void onCompleted() {
                open.set(false);
            }
        });
        send(AgentMessage.newBuilder().setHello(Hello.newBuilder().setAgentVersion("0.2.0").setProtocolRevision(1)
                .setCluster(cluster()).addAllowedNamespaces("apps")).build());
        return this;
    }

    /** The commands received so far on any stream, in order (a re-sent one appears again). */
    List<Command> received() {
        return List.copyOf(received);
    }

    /** The withdrawals received so far on any stream, in order. */
    List<Withdraw> withdrawals() {
        return List.copyOf(withdrawals);
    }

    /** Waits for the {@code n}th command (1-based) and answers it. */
    Command awaitCommand(int n) {
        await().atMost(Duration.ofSeconds(30)).until(() -> received.size() >= n);
        return received.get(n - 1);
    }

    void progress(CommandProgress progress) {
        send(AgentMessage.newBuilder().setProgress(progress).build());
    }

    /** Sends a heartbeat that tells {@code condition}: once the hub shows it, what was sent before it was handled. */
    void heartbeat(AgentCondition condition) {
        send(AgentMessage.newBuilder().setHeartbeat(Heartbeat.newBuilder().setSentAtUnixMs(System.currentTimeMillis())
                .setCondition(condition)).build());
    }

    void result(CommandResult result) {
        send(AgentMessage.newBuilder().setResult(result).build());
    }

    /** Whether the stream is still open (the hub closes it when it stops). */
    boolean connected() {
        return open.get();
    }

    private synchronized void send(AgentMessage message) {
        requests.onNext(message);
    }

    /** Breaks the stream and its channel, as a crashed agent process would. */
    void disconnect() {
        if (channel != null) {
            channel.shutdownNow();
            channel = null;
            open.set(false);
        }
    }

    @Override
    public void close() {
        disconnect();
    }

    private static ClusterFacts cluster() {
        return ClusterFacts.newBuilder().setKubernetesVersion("v1.36.3").setNodeCount(1).setPlatform("kind").build();
    }

    private static ManagedChannel channel(LifecycleHub hub, SslContextBuilder tls) {
        try {
            return NettyChannelBuilder.forAddress("127.0.0.1", hub.grpcPort())
                    .sslContext(tls.trustManager(hub.caCertificate()).build())
                    .maxInboundMessageSize(GrpcLimits.MAX_MESSAGE_BYTES)
                    .build();
        } catch (javax.net.ssl.SSLException e) {
            throw new IllegalStateException(e);
        }
    }
}
