package dev.outpost.hub.logs;

import dev.outpost.hub.gateway.AuthenticatedAgent;
import dev.outpost.hub.gateway.GatewayThreads;
import dev.outpost.protocol.v1.LogAck;
import dev.outpost.protocol.v1.LogBatch;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import jakarta.inject.Singleton;

/** Telemetry.ShipLogs: each stream becomes a {@link LogShipStream} of the authenticated agent. */
@Singleton
public class LogGrpcService {
    private final LogIngest ingest;
    private final GatewayThreads threads;

    public LogGrpcService(LogIngest ingest, GatewayThreads threads) {
        this.ingest = ingest;
        this.threads = threads;
    }

    /** Opens one ShipLogs stream (called by the gateway's Telemetry service). */
    public StreamObserver<LogBatch> shipLogs(StreamObserver<LogAck> responses) {
        LogShipStream stream = new LogShipStream(AuthenticatedAgent.current(), (ServerCallStreamObserver<LogAck>) responses,
                ingest, threads.workers());
        stream.start();
        return stream;
    }
}
