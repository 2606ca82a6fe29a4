package dev.outpost.hub.metrics;

import dev.outpost.hub.agents.ActiveAgent;
import dev.outpost.protocol.v1.MetricsAck;
import dev.outpost.protocol.v1.MetricsBatch;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent's ReportMetrics stream, shaped like the usage stream: requests one batch, stores it on a
 * gateway worker, acknowledges it once committed, and only then requests the next. A batch breaking
 * a rule ends the stream with INVALID_ARGUMENT; a database failure ends it with UNAVAILABLE and
 * nothing acknowledged (the agent's next sample replaces the lost one).
 */
final class MetricsStream implements StreamObserver<MetricsBatch> {
    static final String NOT_ADMITTED = "agent revoked or certificate superseded";
    private static final Logger LOG = LoggerFactory.getLogger(MetricsStream.class);

    private final ActiveAgent agent;
    private final ServerCallStreamObserver<MetricsAck> out;
    private final MetricsIngest ingest;
    private final Executor executor;
    private final Object lock = new Object();
    private boolean busy;
    private boolean halfClosed;
    private boolean closed;

    MetricsStream(ActiveAgent agent, ServerCallStreamObserver<MetricsAck> out, MetricsIngest ingest, Executor executor) {
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
    public void onNext(MetricsBatch batch) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            busy = true;
        }
        executor.execute(() -> handle(batch));
    }

    private void handle(MetricsBatch batch) {
        Optional<String> problem = MetricsBatchRules.batchProblem(batch);
        if (problem.isPresent()) {
            LOG.warn("Closing metrics stream of {}: refused a batch: {}", describe(), problem.get());
            close(Status.INVALID_ARGUMENT.withDescription(problem.get()));
            return;
        }
        MetricsIngestResult result;
        try {
            result = ingest.ingest(agent.agentId(), batch);
        } catch (MetricsIngest.AgentNotAdmitted e) {
            LOG.warn("Closing metrics stream of {}: {}", describe(), NOT_ADMITTED);
            close(Status.PERMISSION_DENIED.withDescription(NOT_ADMITTED));
            return;
        } catch (RuntimeException e) {
            LOG.error("Cannot store metrics batch {} of {}; nothing acknowledged", batch.getSequence(), describe(), e);
            close(Status.UNAVAILABLE.withDescription("hub cannot store metrics now; send a new sample later"));
            return;
        }
        MetricsAck.Builder ack = MetricsAck.newBuilder().setSequence(batch.getSequence()).setStored(result.stored())
                .addAllUnknownDeployments(result.unknownDeployments());
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
        LOG.debug("Metrics stream of {} failed: {}", describe(), Status.fromThrowable(error).getCode());
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
