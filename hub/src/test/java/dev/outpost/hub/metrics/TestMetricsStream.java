package dev.outpost.hub.metrics;

import dev.outpost.protocol.v1.TelemetryGrpc;
import dev.outpost.protocol.v1.MetricsAck;
import dev.outpost.protocol.v1.MetricsBatch;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A ReportMetrics stream as a test agent holds it: batches out, acks collected, the closing status kept. */
final class TestMetricsStream implements StreamObserver<MetricsAck> {
    final LinkedBlockingQueue<MetricsAck> acks = new LinkedBlockingQueue<>();
    final CompletableFuture<Status> closed = new CompletableFuture<>();
    private final StreamObserver<MetricsBatch> out;

    TestMetricsStream(Channel channel) {
        this.out = TelemetryGrpc.newStub(channel).reportMetrics(this);
    }

    void send(MetricsBatch batch) {
        synchronized (this) {
            out.onNext(batch);
        }
    }

    /** Sends a batch and waits for its ack. */
    MetricsAck exchange(MetricsBatch batch) {
        send(batch);
        return nextAck();
    }

    MetricsAck nextAck() {
        try {
            MetricsAck ack = acks.poll(20, TimeUnit.SECONDS);
            if (ack == null) {
                throw new AssertionError("no ack within 20s; stream " + (closed.isDone() ? closed.join() : "open"));
            }
            return ack;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Status awaitClosed() throws Exception {
        return closed.get(20, TimeUnit.SECONDS);
    }

    void complete() {
        out.onCompleted();
    }

    @Override
    public void onNext(MetricsAck ack) {
        acks.add(ack);
    }

    @Override
    public void onError(Throwable error) {
        closed.complete(Status.fromThrowable(error));
    }

    @Override
    public void onCompleted() {
        closed.complete(Status.OK);
    }
}
