package dev.outpost.agent.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.agent.config.HubAddress;
import dev.outpost.agent.connection.Backoff;
import dev.outpost.agent.connection.HubChannels;
import dev.outpost.agent.connection.TestHub;
import dev.outpost.agent.connection.TestPki;
import dev.outpost.agent.enrollment.EnrollmentClient;
import dev.outpost.agent.identity.AgentCredentials;
import dev.outpost.protocol.CaFingerprint;
import dev.outpost.protocol.v1.ClusterFacts;
import dev.outpost.protocol.v1.LogAck;
import dev.outpost.protocol.v1.LogBatch;
import dev.outpost.protocol.v1.LogLine;
import dev.outpost.protocol.v1.LogStream;
import dev.outpost.protocol.v1.SourceLogs;
import dev.outpost.protocol.v1.TelemetryGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipper against a real Telemetry server over mutual TLS, as the hub's gateway would serve it. */
class LogShipperIT {
    private static final TestPki PKI = new TestPki();
    private static final FollowedSource WEB = new FollowedSource("dep-1", "apps", "web-0", "uid-web", "web");
    private static AgentCredentials credentials;

    @TempDir
    Path stateDir;

    private final List<LogBatch> received = new CopyOnWriteArrayList<>();
    private final List<StreamObserver<LogAck>> streams = new CopyOnWriteArrayList<>();
    private final AtomicInteger streamCount = new AtomicInteger();
    /** What the test server does with a batch on the n-th stream. */
    private volatile BiFunction<Integer, LogBatch, Reply> behaviour = (stream, batch) -> Reply.ACK;
    private Server server;
    private ManagedChannel channel;
    private LogShipper shipper;
    private LogBuffer buffer;

    private enum Reply { ACK, HOLD, DROP_STREAM, INVALID }

    @BeforeAll
    static void enroll() throws Exception {
        try (TestHub hub = new TestHub(PKI).start()) {
            credentials = new EnrollmentClient(new HubAddress("127.0.0.1", hub.port()), CaFingerprint.of(PKI.ca),
                    new Backoff(Duration.ofMillis(50), Duration.ofMillis(200)), 2)
                    .enroll(TestHub.GOOD_TOKEN, "test", ClusterFacts.getDefaultInstance());
        }
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (shipper != null) {
            shipper.close();
        }
        if (channel != null) {
            channel.shutdownNow();
        }
        if (server != null) {
            server.shutdownNow().awaitTermination();
        }
    }

    @Test
    void linesReachTheHubPromptlyAndAreAcknowledgedOnDiskOnlyOnTheAck() throws Exception {
        behaviour = (stream, batch) -> Reply.HOLD;
        start();
        await().atMost(Duration.ofSeconds(5)).until(() -> streamCount.get() == 1);
        add(1, 3);

        await().atMost(Duration.ofSeconds(2)).until(() -> texts(received).size() == 3);
        assertThat(texts(received)).containsExactly("line-00001", "line-00002", "line-00003");
        LogBatch first = received.getFirst();
        assertThat(first.getSequence()).isEqualTo(1);
        assertThat(first.getSources(0).getSource().getPodUid()).isEqualTo("uid-web");
        assertThat(first.getSources(0).getLines(0).getStream()).isEqualTo(LogStream.LOG_STREAM_COMBINED);
        assertThat(first.getBuffer().getMaxBytes()).isEqualTo(1 << 20);
        assertThat(first.getBuffer().getFollowedSources()).isEqualTo(1);
        // sent, on disk, but not acknowledged while the hub holds its answer
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                .until(() -> new LogPositionStore(stateDir).load().get(WEB.key()).acked() == null);
        assertThat(new LogPositionStore(stateDir).load().get(WEB.key()).sent()).isEqualTo(pos(3));

        new ArrayList<>(received).forEach(batch -> ack(streams.getLast(), batch));

        await().atMost(Duration.ofSeconds(5))
                .until(() -> pos(3).equals(new LogPositionStore(stateDir).load().get(WEB.key()).acked()));
    }

    @Test
    void batchesUnacknowledgedWhenTheStreamBreaksAreSentAgainFirstWithNewSequences() throws Exception {
        behaviour = (stream, batch) -> stream == 1 ? Reply.DROP_STREAM : Reply.ACK;
        add(1, 2);
        start();

        await().atMost(Duration.ofSeconds(10)).until(() -> buffer.positions().get(WEB.key()).acked() != null);
        assertThat(streamCount).hasValueGreaterThanOrEqualTo(2);
        assertThat(received).hasSizeGreaterThanOrEqualTo(2);
        assertThat(received.get(0).getSourcesList()).isEqualTo(received.get(1).getSourcesList());
        assertThat(received.get(1).getSequence()).isEqualTo(1); // numbered from 1 on every stream
        assertThat(buffer.positions().get(WEB.key()).acked()).isEqualTo(pos(2));

        add(3, 3); // the new stream goes on with new lines
        await().atMost(Duration.ofSeconds(5)).until(() -> pos(3).equals(buffer.positions().get(WEB.key()).acked()));
        assertThat(received.getLast().getSequence()).isEqualTo(2);
    }

    @Test
    void atMostFourBatchesAreUnacknowledgedAtATime() throws Exception {
        behaviour = (stream, batch) -> Reply.HOLD;
        add(1, 6000); // six full batches, buffered before the shipper starts
        start();

        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 4);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> received.size() == 4);
        assertThat(received).allSatisfy(batch -> assertThat(batch.getSources(0).getLinesCount()).isEqualTo(1000));

        behaviour = (stream, batch) -> Reply.ACK;
        new ArrayList<>(received).forEach(batch -> ack(streams.getLast(), batch));
        await().atMost(Duration.ofSeconds(10)).until(() -> pos(6000).equals(buffer.positions().get(WEB.key()).acked()));
        assertThat(texts(received)).hasSize(6000).doesNotHaveDuplicates();
    }

    @Test
    void aBatchTheHubRefusesIsReportedAsDroppedAndTheRestGoOn() throws Exception {
        behaviour = (stream, batch) -> stream == 1 ? Reply.INVALID : Reply.ACK;
        add(1, 2);
        start();

        await().atMost(Duration.ofSeconds(10)).until(() -> pos(2).equals(buffer.positions().get(WEB.key()).acked()));
        SourceLogs asDrops = received.get(1).getSources(0);
        assertThat(asDrops.getLinesCount()).isZero();
        assertThat(asDrops.getDroppedLines()).isEqualTo(2);
        assertThat(received.get(1).getBuffer().getDroppedLinesSinceStart()).isEqualTo(2);
    }

    @Test
    void linesBufferedWhileTheHubIsUnreachableAreDeliveredOnceItIsBack() throws Exception {
        startServer(0);
        int port = server.getPort();
        server.shutdownNow().awaitTermination();
        startShipper(port);
        add(1, 5);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> received.isEmpty());

        startServer(port);
        await().atMost(Duration.ofSeconds(15)).until(() -> pos(5).equals(buffer.positions().get(WEB.key()).acked()));
        assertThat(texts(received)).containsExactly("line-00001", "line-00002", "line-00003", "line-00004", "line-00005");
    }

    private void add(int from, int through) throws InterruptedException {
        for (int i = from; i <= through; i++) {
            String text = "line-%05d".formatted(i);
            buffer.add(WEB, new ParsedLine(pos(i), text, false, text.getBytes(StandardCharsets.UTF_8).length));
        }
    }

    private static LinePosition pos(int i) {
        return new LinePosition(1_800_000_000_000_000_000L + i * 1_000L, 0);
    }

    private static List<String> texts(List<LogBatch> batches) {
        return batches.stream().flatMap(batch -> batch.getSourcesList().stream())
                .flatMap(source -> source.getLinesList().stream()).map(LogLine::getText).toList();
    }

    private static void ack(StreamObserver<LogAck> stream, LogBatch batch) {
        synchronized (stream) {
            stream.onNext(LogAck.newBuilder().setSequence(batch.getSequence())
                    .setStored(batch.getSourcesList().stream().mapToInt(SourceLogs::getLinesCount).sum()).build());
        }
    }

    private void start() throws IOException {
        startServer(0);
        startShipper(server.getPort());
    }

    private void startServer(int port) throws IOException {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                .sslContext(GrpcSslContexts.configure(SslContextBuilder.forServer(PKI.serverKeys.getPrivate(), PKI.server, PKI.ca))
                        .trustManager(PKI.ca).clientAuth(ClientAuth.REQUIRE).build())
                .addService(new TestTelemetryServer())
                .build()
                .start();
    }

    @BeforeEach
    void newBuffer() {
        buffer = new LogBuffer(1 << 20, new LogPositionStore(stateDir), "agent=a1");
        buffer.follow(WEB);
    }

    private void startShipper(int port) {
        channel = HubChannels.mutualTls(new HubAddress("127.0.0.1", port), credentials);
        shipper = new LogShipper(channel, buffer, new Backoff(Duration.ofMillis(50), Duration.ofMillis(200)),
                Duration.ofMinutes(1), Clock.systemUTC(), "agent=a1");
        shipper.start();
    }

    /** A test server of Telemetry.ShipLogs: records batches and answers as the test says. */
    private final class TestTelemetryServer extends TelemetryGrpc.TelemetryImplBase {
        @Override
        public StreamObserver<LogBatch> shipLogs(StreamObserver<LogAck> responses) {
            int number = streamCount.incrementAndGet();
            streams.add(responses);
            return new StreamObserver<>() {
                @Override
                public void onNext(LogBatch batch) {
                    received.add(batch);
                    synchronized (responses) {
                        switch (behaviour.apply(number, batch)) {
                            case ACK -> ack(responses, batch);
                            case HOLD -> { }
                            case DROP_STREAM -> responses.onError(Status.UNAVAILABLE.withDescription("hub restarting").asException());
                            case INVALID -> responses.onError(Status.INVALID_ARGUMENT
                                    .withDescription("batch " + batch.getSequence() + ": line too long").asException());
                        }
                    }
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                    responses.onCompleted();
                }
            };
        }
    }
}
