package dev.outpost.hub.gateway;

import static org.awaitility.Awaitility.await;

import dev.outpost.protocol.v1.AgentControlGrpc;
import dev.outpost.protocol.v1.AgentMessage;
import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.Hello;
import dev.outpost.protocol.v1.HubMessage;
import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** The agent's end of a control stream, recording what the hub sends. */
final class TestControlStream implements StreamObserver<HubMessage> {
    final List<HubMessage> received = new CopyOnWriteArrayList<>();
    final CompletableFuture<Status> closed = new CompletableFuture<>();
    /** The trailers the hub closed the stream with (empty when it completed). */
    volatile Metadata trailers = new Metadata();
    private final StreamObserver<AgentMessage> requests;

    TestControlStream(Channel channel) {
        requests = AgentControlGrpc.newStub(channel).connect(this);
    }

    TestControlStream send(AgentMessage message) {
        synchronized (this) {
            requests.onNext(message);
        }
        return this;
    }

    TestControlStream hello() {
        return send(AgentMessage.newBuilder().setHello(Hello.newBuilder().setAgentVersion("test").setProtocolRevision(1)).build());
    }

    List<Command> commands() {
        return received.stream().filter(HubMessage::hasCommand).map(HubMessage::getCommand).toList();
    }

    Status awaitClosed() throws Exception {
        return closed.get(10, TimeUnit.SECONDS);
    }

    void awaitWelcome() {
        await().until(() -> received.stream().anyMatch(HubMessage::hasWelcome));
    }

    void cancel() {
        synchronized (this) {
            requests.onError(Status.CANCELLED.asRuntimeException());
        }
    }

    @Override
    public void onNext(HubMessage message) {
        received.add(message);
    }

    @Override
    public void onError(Throwable error) {
        Metadata sent = Status.trailersFromThrowable(error);
        if (sent != null) {
            trailers = sent;
        }
        closed.complete(Status.fromThrowable(error));
    }

    @Override
    public void onCompleted() {
        closed.complete(Status.OK);
    }
}
