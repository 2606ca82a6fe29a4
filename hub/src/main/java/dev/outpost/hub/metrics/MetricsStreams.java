package dev.outpost.hub.metrics;

import dev.outpost.hub.gateway.AuthenticatedAgent;
import dev.outpost.hub.gateway.GatewayThreads;
import dev.outpost.protocol.v1.MetricsAck;
import dev.outpost.protocol.v1.MetricsBatch;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import jakarta.inject.Singleton;

/** Opens a {@link MetricsStream} of the authenticated agent for each Telemetry.ReportMetrics call. */
@Singleton
public class MetricsStreams {
    private final MetricsIngest ingest;
    private final GatewayThreads threads;

    public MetricsStreams(MetricsIngest ingest, GatewayThreads threads) {
        this.ingest = ingest;
        this.threads = threads;
    }

    /** The request observer of a new ReportMetrics call answering on {@code responses}. */
    public StreamObserver<MetricsBatch> open(StreamObserver<MetricsAck> responses) {
        MetricsStream stream = new MetricsStream(AuthenticatedAgent.current(),
                (ServerCallStreamObserver<MetricsAck>) responses, ingest, threads.workers());
        stream.start();
        return stream;
    }
}
