package dev.outpost.hub.logs;

import dev.outpost.protocol.v1.TelemetryGrpc;
import dev.outpost.protocol.v1.LogAck;
import dev.outpost.protocol.v1.LogBatch;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A ShipLogs stream as a test agent holds it: batches out, acks collected, the closing status kept. */
final class TestLogStream implements StreamObserver<LogAck> {
    final LinkedBlockingQueue<LogAck> acks = new LinkedBlockingQueue<>();
    final CompletableFuture<Status> closed = new CompletableFuture<>();
    private final StreamObserver<LogBatch> out;

    TestLogStream(Channel channel) {
        this.out = TelemetryGrpc.newStub(channel).shipLogs(this);
    }

    void send(LogBatch batch) {
        synchronized (this) {
            out.onNext(batch);
        }
    }

    /** Sends a batch and waits for its ack. */
    LogAck exchange(LogBatch batch) {
        send(batch);
        return nextAck();
    }

    LogAck nextAck() {
        try {
            LogAck ack = acks.poll(20, TimeUnit.SECONDS);
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
    public void onNext(LogAck ack) {
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
