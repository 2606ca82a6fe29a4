package dev.outpost.hub.logs;

import dev.outpost.hub.agents.ActiveAgent;
import dev.outpost.protocol.v1.LogAck;
import dev.outpost.protocol.v1.LogBatch;
import dev.outpost.protocol.text.FreeText;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent's ShipLogs stream: requests one batch, stores it on a gateway worker, acknowledges it
 * once committed, and only then requests the next, so the hub holds at most one batch per stream.
 * A batch breaking a batch rule ends the stream with INVALID_ARGUMENT; a database failure ends it
 * with UNAVAILABLE and nothing acknowledged, so the agent sends the batch again on a new stream.
 */
final class LogShipStream implements StreamObserver<LogBatch> {
    static final String NOT_ADMITTED = "agent revoked or certificate superseded";
    private static final Logger LOG = LoggerFactory.getLogger(LogShipStream.class);

    private final ActiveAgent agent;
    private final ServerCallStreamObserver<LogAck> out;
    private final LogIngest ingest;
    private final Executor executor;
    private final Object lock = new Object();
    private boolean busy;
    private boolean halfClosed;
    private boolean closed;

    LogShipStream(ActiveAgent agent, ServerCallStreamObserver<LogAck> out, LogIngest ingest, Executor executor) {
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
    public void onNext(LogBatch batch) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            busy = true;
        }
        executor.execute(() -> handle(batch));
    }

    private void handle(LogBatch batch) {
        Optional<String> problem = LogBatchRules.batchProblem(batch);
        if (problem.isPresent()) {
            refuse(problem.get());
            return;
        }
        LogIngestResult result;
        try {
            result = ingest.ingest(agent.agentId(), batch);
        } catch (LogIngest.BatchRefused e) {
            refuse(e.getMessage());
            return;
        } catch (LogIngest.AgentNotAdmitted e) {
            LOG.warn("Closing log stream of {}: {}", describe(), NOT_ADMITTED);
            close(Status.PERMISSION_DENIED.withDescription(NOT_ADMITTED));
            return;
        } catch (RuntimeException e) {
            LOG.error("Cannot store log batch {} of {}; nothing acknowledged", batch.getSequence(), describe(), e);
            close(Status.UNAVAILABLE.withDescription("hub cannot store logs now; send the batch again later"));
            return;
        }
        LogAck ack = LogAck.newBuilder().setSequence(batch.getSequence()).setStored(result.stored())
                .setDuplicates(result.duplicates()).setDroppedCounted(result.droppedCounted()).build();
        boolean complete;
        synchronized (lock) {
            if (closed) {
                return;
            }
            out.onNext(ack);
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
        LOG.debug("Log stream of {} failed: {}", describe(), Status.fromThrowable(error).getCode());
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

    private void refuse(String rule) {
        LOG.warn("Closing log stream of {}: refused a batch: {}", describe(), FreeText.forLog(rule));
        close(Status.INVALID_ARGUMENT.withDescription(rule));
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
