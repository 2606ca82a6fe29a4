package dev.outpost.hub.usage;

import dev.outpost.hub.agents.ActiveAgent;
import dev.outpost.protocol.v1.RejectedUsage;
import dev.outpost.protocol.v1.UsageAck;
import dev.outpost.protocol.v1.UsageBatch;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent's ReportUsage stream: requests one batch, stores it on a gateway worker, acknowledges it
 * once committed, and only then requests the next, so the hub holds at most one batch per stream.
 * A batch breaking a batch rule ends the stream with INVALID_ARGUMENT; a database failure ends it
 * with UNAVAILABLE and nothing acknowledged, so the agent sends the batch again on a new stream.
 */
final class UsageStream implements StreamObserver<UsageBatch> {
    static final String NOT_ADMITTED = "agent revoked or certificate superseded";
    private static final Logger LOG = LoggerFactory.getLogger(UsageStream.class);

    private final ActiveAgent agent;
    private final ServerCallStreamObserver<UsageAck> out;
    private final UsageIngest ingest;
    private final Executor executor;
    private final Object lock = new Object();
    private boolean busy;
    private boolean halfClosed;
    private boolean closed;

    UsageStream(ActiveAgent agent, ServerCallStreamObserver<UsageAck> out, UsageIngest ingest, Executor executor) {
        this.agent = agent;
        this.out = out;
        this.ingest = ingest;
        this.executor = executor;
        out.disableAutoRequest();
        out.setOnCancelHandler(() -> {
            synchronized (lock) {
                closed = true;
            }
        });
    }

    /** Asks for the first batch. */
    void start() {
        out.request(1);
    }

    @Override
    public void onNext(UsageBatch batch) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            busy = true;
        }
        executor.execute(() -> handle(batch));
    }

    private void handle(UsageBatch batch) {
        Optional<String> problem = UsageRecordRules.batchProblem(batch);
        if (problem.isPresent()) {
            LOG.warn("Closing usage stream of {}: refused a batch: {}", describe(), problem.get());
            close(Status.INVALID_ARGUMENT.withDescription(problem.get()));
            return;
        }
        UsageIngestResult result;
        try {
            result = ingest.ingest(agent.agentId(), batch);
        } catch (UsageIngest.AgentNotAdmitted e) {
            LOG.warn("Closing usage stream of {}: {}", describe(), NOT_ADMITTED);
            close(Status.PERMISSION_DENIED.withDescription(NOT_ADMITTED));
            return;
        } catch (RuntimeException e) {
            LOG.error("Cannot store usage batch {} of {}; nothing acknowledged", batch.getSequence(), describe(), e);
            close(Status.UNAVAILABLE.withDescription("hub cannot store usage now; send the batch again later"));
            return;
        }
        UsageAck.Builder ack = UsageAck.newBuilder().setSequence(batch.getSequence()).setStored(result.stored())
                .setDuplicates(result.duplicates());
        result.rejected().forEach(r -> ack.addRejected(RejectedUsage.newBuilder().setIdempotencyKey(r.idempotencyKey())
                .setReason(r.reason())));
        boolean complete;
        synchronized (lock) {
            if (closed) {
                return;
            }
            out.onNext(ack.build());
            busy = false;
            complete = halfClosed;
            if (complete) {
                closed = true;
                out.onCompleted();
            }
        }
        if (!complete) {
            out.request(1);
        }
    }

    @Override
    public void onError(Throwable error) {
        synchronized (lock) {
            closed = true;
        }
        LOG.debug("Usage stream of {} failed: {}", describe(), Status.fromThrowable(error).getCode());
    }

    @Override
    public void onCompleted() {
        synchronized (lock) {
            halfClosed = true;
            if (busy || closed) {
                return;
            }
            closed = true;
            out.onCompleted();
        }
    }

    private void close(Status status) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            out.onError(status.asRuntimeException());
        }
    }

    private String describe() {
        return "agent=" + agent.agentId() + " tenant=" + agent.tenantId() + " environment=" + agent.environmentId();
    }
}
