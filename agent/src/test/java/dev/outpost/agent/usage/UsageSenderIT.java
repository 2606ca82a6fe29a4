package dev.outpost.agent.usage;

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
import dev.outpost.protocol.usage.UsageKeys;
import dev.outpost.protocol.v1.ClusterFacts;
import dev.outpost.protocol.v1.TelemetryGrpc;
import dev.outpost.protocol.v1.UsageAck;
import dev.outpost.protocol.v1.UsageBatch;
import dev.outpost.protocol.v1.UsageRecord;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sender against a real Telemetry server over mutual TLS, as the hub's gateway would serve it. */
class UsageSenderIT {
    private static final TestPki PKI = new TestPki();
    private static AgentCredentials credentials;

    @TempDir
    Path stateDir;

    private final List<UsageBatch> received = new CopyOnWriteArrayList<>();
    private final List<StreamObserver<UsageAck>> streams = new CopyOnWriteArrayList<>();
    private final AtomicInteger streamCount = new AtomicInteger();
    /** What the server does with a batch on the n-th stream: an ack to send, or null to hold it. */
    private volatile BiFunction<Integer, UsageBatch, Reply> behaviour = (stream, batch) -> Reply.ACK;
    private Server server;
    private ManagedChannel channel;
    private UsageSender sender;

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
        if (sender != null) {
            sender.close();
        }
        if (channel != null) {
            channel.shutdownNow();
        }
        if (server != null) {
            server.shutdownNow().awaitTermination();
        }
    }

    @Test
    void acknowledgedBatchesAreDeletedAndNewOnesAreSentPromptly() throws Exception {
        UsageSpool spool = spool();
        spool.write(records(0, 1500), 60_000, 0);
        start(spool);

        await().atMost(Duration.ofSeconds(10)).until(() -> spool.pendingSequences().isEmpty());
        assertThat(received).extracting(UsageBatch::getSequence).containsExactly(1L, 2L);
        assertThat(keys(received)).containsExactlyElementsOf(records(0, 1500).stream().map(SpooledRecord::key).toList());
        assertThat(received.getFirst().getSpool().getMaxBytes()).isEqualTo(1L << 20);
        assertThat(received.getFirst().getSpool().getPendingRecords()).isEqualTo(1500);

        // written while the stream is open: sent on the spool's signal, well before the periodic backstop
        spool.write(records(1, 4), 120_000, 0);
        await().atMost(UsageSender.BACKSTOP.minusSeconds(2)).until(() -> spool.pendingSequences().isEmpty());
        assertThat(received).extracting(UsageBatch::getSequence).containsExactly(1L, 2L, 3L);
        assertThat(Files.list(stateDir.resolve("usage-spool")).map(p -> p.getFileName().toString()))
                .containsExactly(UsageSpool.STATE_FILE);
    }

    @Test
    void aStreamDroppedBeforeTheAckGetsTheSameBatchAgainWithTheSameSequenceAndKeys() throws Exception {
        behaviour = (stream, batch) -> stream == 1 ? Reply.DROP_STREAM : Reply.ACK;
        UsageSpool spool = spool();
        spool.write(records(0, 10), 60_000, 0);
        start(spool);

        await().atMost(Duration.ofSeconds(10)).until(() -> spool.pendingSequences().isEmpty());
        assertThat(streamCount).hasValueGreaterThanOrEqualTo(2);
        assertThat(received).hasSize(2).extracting(UsageBatch::getSequence).containsExactly(1L, 1L);
        assertThat(received.get(1).getRecordsList()).isEqualTo(received.get(0).getRecordsList());
    }

    @Test
    void atMostEightBatchesAreUnacknowledgedAtATime() throws Exception {
        behaviour = (stream, batch) -> Reply.HOLD;
        UsageSpool spool = spool();
        for (int round = 0; round < 20; round++) {
            spool.write(records(round, 3), 60_000L * (round + 1), 0);
        }
        start(spool);

        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 8);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> received.size() == 8);
        assertThat(received).extracting(UsageBatch::getSequence).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);

        behaviour = (stream, batch) -> Reply.ACK;
        StreamObserver<UsageAck> stream = streams.getLast();
        synchronized (stream) {
            new ArrayList<>(received).forEach(batch -> stream.onNext(UsageAck.newBuilder()
                    .setSequence(batch.getSequence()).setStored(batch.getRecordsCount()).build()));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> spool.pendingSequences().isEmpty());
        assertThat(received).extracting(UsageBatch::getSequence).hasSize(20).doesNotHaveDuplicates();
    }

    @Test
    void aBatchRefusedAsInvalidIsMovedAsideAndTheRestGoOn() throws Exception {
        behaviour = (stream, batch) -> batch.getSequence() == 2 ? Reply.INVALID : Reply.ACK;
        UsageSpool spool = spool();
        for (int round = 0; round < 3; round++) {
            spool.write(records(round, 2), 60_000L * (round + 1), 0);
        }
        start(spool);

        await().atMost(Duration.ofSeconds(10)).until(() -> spool.pendingSequences().isEmpty());
        assertThat(stateDir.resolve("usage-spool/refused/2.json")).exists();
        assertThat(received).extracting(UsageBatch::getSequence).containsSubsequence(1L, 2L, 3L);
    }

    @Test
    void usageSpooledWhileTheHubIsUnreachableIsDeliveredOnceItIsBack() throws Exception {
        startServer(0);
        int port = server.getPort();
        server.shutdownNow().awaitTermination();
        UsageSpool spool = spool();
        startSender(spool, port);
        for (int round = 0; round < 3; round++) {
            spool.write(records(round, 5), 60_000L * (round + 1), 0);
        }
        // several connection attempts fail meanwhile; nothing is lost or sent
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> spool.pendingSequences().size() == 3);

        startServer(port);
        await().atMost(Duration.ofSeconds(15)).until(() -> spool.pendingSequences().isEmpty());
        assertThat(received).extracting(UsageBatch::getSequence).containsExactly(1L, 2L, 3L);
    }

    private UsageSpool spool() throws IOException {
        return UsageSpool.open(stateDir.resolve("usage-spool"), 1L << 20, Optional.empty(), "agent=a1");
    }

    private void start(UsageSpool spool) throws IOException {
        startServer(0);
        startSender(spool, server.getPort());
    }

    private void startServer(int port) throws IOException {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                .sslContext(GrpcSslContexts.configure(SslContextBuilder.forServer(PKI.serverKeys.getPrivate(), PKI.server, PKI.ca))
                        .trustManager(PKI.ca).clientAuth(ClientAuth.REQUIRE).build())
                .addService(new Telemetry())
                .build()
                .start();
    }

    private void startSender(UsageSpool spool, int port) {
        channel = HubChannels.mutualTls(new HubAddress("127.0.0.1", port), credentials);
        sender = new UsageSender(channel, spool, new Backoff(Duration.ofMillis(50), Duration.ofMillis(200)),
                Duration.ofMinutes(1), Clock.systemUTC(), "agent=a1");
        sender.start();
    }

    private static List<String> keys(List<UsageBatch> batches) {
        return batches.stream().flatMap(batch -> batch.getRecordsList().stream()).map(UsageRecord::getIdempotencyKey).toList();
    }

    private static List<SpooledRecord> records(int window, int count) {
        List<SpooledRecord> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long start = window * 60_000L;
            records.add(new SpooledRecord(UsageKeys.key("a1", "dep-" + i, "pods.running.pod-hours", start, start + 60_000),
                    "dep-" + i, "pods.running.pod-hours", "pod-hour", start, start + 60_000, "0.016666667"));
        }
        return records;
    }

    private final class Telemetry extends TelemetryGrpc.TelemetryImplBase {
        @Override
        public StreamObserver<UsageBatch> reportUsage(StreamObserver<UsageAck> responses) {
            int number = streamCount.incrementAndGet();
            streams.add(responses);
            return new StreamObserver<>() {
                @Override
                public void onNext(UsageBatch batch) {
                    received.add(batch);
                    synchronized (responses) {
                        switch (behaviour.apply(number, batch)) {
                            case ACK -> responses.onNext(UsageAck.newBuilder().setSequence(batch.getSequence())
                                    .setStored(batch.getRecordsCount()).build());
                            case HOLD -> { }
                            case DROP_STREAM -> responses.onError(Status.UNAVAILABLE.withDescription("hub restarting").asException());
                            case INVALID -> responses.onError(Status.INVALID_ARGUMENT
                                    .withDescription("batch " + batch.getSequence() + ": too many records").asException());
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
