package dev.outpost.hub.usage;

import dev.outpost.hub.gateway.AuthenticatedAgent;
import dev.outpost.hub.gateway.GatewayThreads;
import dev.outpost.protocol.v1.UsageAck;
import dev.outpost.protocol.v1.UsageBatch;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import jakarta.inject.Singleton;

/** Telemetry.ReportUsage: each stream becomes a {@link UsageStream} of the authenticated agent. */
@Singleton
public class UsageGrpcService {
    private final UsageIngest ingest;
    private final GatewayThreads threads;

    public UsageGrpcService(UsageIngest ingest, GatewayThreads threads) {
        this.ingest = ingest;
        this.threads = threads;
    }

    /** Opens one ReportUsage stream (called by the gateway's Telemetry service). */
    public StreamObserver<UsageBatch> reportUsage(StreamObserver<UsageAck> responses) {
        UsageStream stream = new UsageStream(AuthenticatedAgent.current(), (ServerCallStreamObserver<UsageAck>) responses,
                ingest, threads.workers());
        stream.start();
        return stream;
    }
}
