package dev.outpost.agent.connection;

import dev.outpost.agent.config.HubAddress;
import dev.outpost.agent.identity.AgentCredentials;
import dev.outpost.protocol.GrpcLimits;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/** The mutual-TLS channel to the hub: the agent's certificate, trust in the hub CA only, host name checked. */
public final class HubChannels {
    private HubChannels() {
    }

    public static ManagedChannel mutualTls(HubAddress hub, AgentCredentials credentials) {
        try {
            return NettyChannelBuilder.forAddress(hub.host(), hub.port())
                    .sslContext(GrpcSslContexts.forClient()
                            .keyManager(credentials.key(), credentials.certificate())
                            .trustManager(credentials.hubCa().toArray(X509Certificate[]::new))
                            .protocols("TLSv1.3")
                            .build())
                    .maxInboundMessageSize(GrpcLimits.MAX_MESSAGE_BYTES)
                    .keepAliveTime(GrpcLimits.CLIENT_KEEPALIVE_TIME.toMillis(), TimeUnit.MILLISECONDS)
                    .keepAliveTimeout(GrpcLimits.CLIENT_KEEPALIVE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .keepAliveWithoutCalls(true)
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS with the stored agent certificate", e);
        }
    }
}
