package dev.outpost.hub.usage;

import dev.outpost.hub.gateway.AuthenticatedAgent;
import dev.outpost.hub.gateway.GatewayThreads;
import dev.outpost.hub.metrics.MetricsStreams;
import dev.outpost.protocol.v1.MetricsAck;
import dev.outpost.protocol.v1.MetricsBatch;
import dev.outpost.protocol.v1.TelemetryGrpc;
import dev.outpost.protocol.v1.UsageAck;
import dev.outpost.protocol.v1.UsageBatch;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import jakarta.inject.Singleton;

/**
 * The Telemetry gRPC service: each ReportUsage stream becomes a {@link UsageStream} of the
 * authenticated agent; ReportMetrics streams are handed to the metrics package.
 */
@Singleton
public class UsageGrpcService extends TelemetryGrpc.TelemetryImplBase {
    private final UsageIngest ingest;
    private final GatewayThreads threads;
    private final MetricsStreams metrics;

    public UsageGrpcService(UsageIngest ingest, GatewayThreads threads, MetricsStreams metrics) {
        this.ingest = ingest;
        this.threads = threads;
        this.metrics = metrics;
    }

    @Override
    public StreamObserver<UsageBatch> reportUsage(StreamObserver<UsageAck> responses) {
        UsageStream stream = new UsageStream(AuthenticatedAgent.current(), (ServerCallStreamObserver<UsageAck>) responses,
                ingest, threads.workers());
        stream.start();
        return stream;
    }

    @Override
    public StreamObserver<MetricsBatch> reportMetrics(StreamObserver<MetricsAck> responses) {
        return metrics.open(responses);
    }
}
