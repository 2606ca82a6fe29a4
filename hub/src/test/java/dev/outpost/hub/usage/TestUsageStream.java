package dev.outpost.hub.usage;

import dev.outpost.protocol.v1.TelemetryGrpc;
import dev.outpost.protocol.v1.UsageAck;
import dev.outpost.protocol.v1.UsageBatch;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A ReportUsage stream as a test agent holds it: batches out, acks collected, the closing status kept. */
final class TestUsageStream implements StreamObserver<UsageAck> {
    final LinkedBlockingQueue<UsageAck> acks = new LinkedBlockingQueue<>();
    final CompletableFuture<Status> closed = new CompletableFuture<>();
    private final StreamObserver<UsageBatch> out;

    TestUsageStream(Channel channel) {
        this.out = TelemetryGrpc.newStub(channel).reportUsage(this);
    }

    void send(UsageBatch batch) {
        synchronized (this) {
            out.onNext(batch);
        }
    }

    /** Sends a batch and waits for its ack. */
    UsageAck exchange(UsageBatch batch) {
        send(batch);
        return nextAck();
    }

    UsageAck nextAck() {
        try {
            UsageAck ack = acks.poll(20, TimeUnit.SECONDS);
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
    public void onNext(UsageAck ack) {
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
