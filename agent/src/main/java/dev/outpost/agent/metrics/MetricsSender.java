package dev.outpost.agent.metrics;

import dev.outpost.protocol.GrpcLimits;
import dev.outpost.protocol.v1.DeploymentMetrics;
import dev.outpost.protocol.v1.MetricsAck;
import dev.outpost.protocol.v1.MetricsBatch;
import dev.outpost.protocol.v1.TelemetryGrpc;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends sampling rounds on one ReportMetrics stream, kept open between rounds: one batch at a time
 * (at most {@link GrpcLimits#MAX_METRICS_DEPLOYMENTS_PER_BATCH} deployments), the next only after the
 * previous ack. Nothing is queued: when the stream fails or an ack is late, the rest of the round is
 * dropped (the next round replaces it) and the next round opens a new stream. The sampling interval
 * paces those attempts, so a hub that is down costs one failed call per interval.
 */
public final class MetricsSender implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsSender.class);

    private final Channel channel;
    private final Duration ackTimeout;
    private final String agent;
    private Stream stream;

    /** One open ReportMetrics call: its request side, its acks and how it ended. */
    private static final class Stream implements ClientResponseObserver<MetricsBatch, MetricsAck> {
        private final LinkedBlockingQueue<Object> answers = new LinkedBlockingQueue<>();
        private ClientCallStreamObserver<MetricsBatch> requests;
        private volatile boolean ended;
        private long nextSequence = 1;

        @Override
        public void beforeStart(ClientCallStreamObserver<MetricsBatch> requestStream) {
            this.requests = requestStream;
        }

        @Override
        public void onNext(MetricsAck ack) {
            answers.add(ack);
        }

        @Override
        public void onError(Throwable error) {
            ended = true;
            answers.add(Status.fromThrowable(error));
        }

        @Override
        public void onCompleted() {
            ended = true;
            answers.add(Status.OK.withDescription("hub closed the metrics stream"));
        }
    }

    /** @param agent names the agent in log lines */
    public MetricsSender(Channel channel, Duration ackTimeout, String agent) {
        this.channel = channel;
        this.ackTimeout = ackTimeout;
        this.agent = agent;
    }

    /**
     * The round cut into batches of at most {@link GrpcLimits#MAX_METRICS_DEPLOYMENTS_PER_BATCH}
     * deployments and about {@link GrpcLimits#MAX_METRICS_BATCH_BYTES} (a deployment is never split).
     */
    static List<List<DeploymentMetrics>> batches(List<DeploymentMetrics> round) {
        List<List<DeploymentMetrics>> batches = new ArrayList<>();
        List<DeploymentMetrics> current = new ArrayList<>();
        long bytes = 0;
        for (DeploymentMetrics deployment : round) {
            int size = deployment.getSerializedSize();
            if (!current.isEmpty() && (current.size() >= GrpcLimits.MAX_METRICS_DEPLOYMENTS_PER_BATCH
                    || bytes + size > GrpcLimits.MAX_METRICS_BATCH_BYTES)) {
                batches.add(current);
                current = new ArrayList<>();
                bytes = 0;
            }
            current.add(deployment);
            bytes += size;
        }
        if (!current.isEmpty()) {
            batches.add(current);
        }
        return batches;
    }

    /**
     * Sends one round; returns the deployments the hub stored, or -1 when the round could not be sent
     * (whatever was acked before the failure stays stored at the hub).
     */
    public synchronized int send(List<DeploymentMetrics> round, long sampledAtMs) throws InterruptedException {
        if (round.isEmpty()) {
            return 0;
        }
        if (stream == null || stream.ended) {
            stream = new Stream();
            TelemetryGrpc.newStub(channel).reportMetrics(stream);
        }
        int stored = 0;
        for (List<DeploymentMetrics> part : batches(round)) {
            long sequence = stream.nextSequence++;
            MetricsBatch batch = MetricsBatch.newBuilder().setSequence(sequence).setSampledAtUnixMs(sampledAtMs)
                    .addAllDeployments(part).build();
            try {
                stream.requests.onNext(batch);
            } catch (RuntimeException e) {
                return dropped("cannot send: " + e.getMessage());
            }
            Object answer;
            try {
                answer = stream.answers.poll(ackTimeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                // stopping: this stream's sequence is spent, so it must not be used again
                stream.ended = true;
                stream.requests.cancel("agent is stopping", null);
                throw e;
            }
            if (answer instanceof MetricsAck ack && ack.getSequence() == sequence) {
                stored += ack.getStored();
                if (ack.getUnknownDeploymentsCount() > 0) {
                    LOG.debug("metrics: the hub does not know deployments {} ({})", ack.getUnknownDeploymentsList(), agent);
                }
                continue;
            }
            if (answer instanceof Status status) {
                return dropped(status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription()));
            }
            stream.requests.cancel(answer == null ? "no ack within " + ackTimeout.toSeconds() + "s" : "ack out of order",
                    null);
            return dropped(answer == null ? "no ack within " + ackTimeout.toSeconds() + "s" : "ack out of order");
        }
        return stored;
    }

    private int dropped(String why) {
        stream.ended = true;
        // DEBUG: while the hub is away this repeats every interval, and the control stream already says so
        LOG.debug("metrics: round not sent ({}); the next sample replaces it ({})", why, agent);
        return -1;
    }

    @Override
    public synchronized void close() {
        if (stream != null && !stream.ended) {
            stream.ended = true;
            stream.requests.onCompleted();
        }
    }
}
