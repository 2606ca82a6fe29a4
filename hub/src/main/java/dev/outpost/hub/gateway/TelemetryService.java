package dev.outpost.hub.gateway;

import dev.outpost.hub.logs.LogGrpcService;
import dev.outpost.hub.metrics.MetricsStreams;
import dev.outpost.hub.usage.UsageGrpcService;
import dev.outpost.protocol.v1.LogAck;
import dev.outpost.protocol.v1.LogBatch;
import dev.outpost.protocol.v1.MetricsAck;
import dev.outpost.protocol.v1.MetricsBatch;
import dev.outpost.protocol.v1.TelemetryGrpc;
import dev.outpost.protocol.v1.UsageAck;
import dev.outpost.protocol.v1.UsageBatch;
import io.grpc.stub.StreamObserver;
import jakarta.inject.Singleton;

/**
 * The gateway's one Telemetry service (a service is bound once): each RPC is handed to the capability
 * that owns it: usage, logs or metrics.
 */
@Singleton
public class TelemetryService extends TelemetryGrpc.TelemetryImplBase {
    private final UsageGrpcService usage;
    private final LogGrpcService logs;
    private final MetricsStreams metrics;

    public TelemetryService(UsageGrpcService usage, LogGrpcService logs, MetricsStreams metrics) {
        this.usage = usage;
        this.logs = logs;
        this.metrics = metrics;
    }

    @Override
    public StreamObserver<UsageBatch> reportUsage(StreamObserver<UsageAck> responses) {
        return usage.reportUsage(responses);
    }

    @Override
    public StreamObserver<LogBatch> shipLogs(StreamObserver<LogAck> responses) {
        return logs.shipLogs(responses);
    }

    @Override
    public StreamObserver<MetricsBatch> reportMetrics(StreamObserver<MetricsAck> responses) {
        return metrics.open(responses);
    }
}
