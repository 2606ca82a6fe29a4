package dev.outpost.agent.connection;

import dev.outpost.agent.config.HubAddress;
import dev.outpost.agent.identity.AgentCredentials;
import dev.outpost.agent.tls.RotatingKeyManager;
import dev.outpost.agent.tls.RotatingTrustManager;
import dev.outpost.protocol.GrpcLimits;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/** The mutual-TLS channel to the hub: the agent's certificate, trust in the hub CA only, host name checked. */
public final class HubChannels {
    private HubChannels() {
    }

    /**
     * TLS to the hub on the JDK's provider, the one the Kubernetes client uses too, rather than the
     * BoringSSL that grpc-netty-shaded would unpack to /tmp and load: one TLS stack in the process, and
     * no native library written at run time in the customer's cluster (measured in docs/benchmarks.md).
     */
    public static SslContextBuilder tlsToHub() {
        return GrpcSslContexts.configure(SslContextBuilder.forClient(), SslProvider.JDK);
    }

    /**
     * The channel to the hub, proving the agent with {@code keys}' current certificate at each
     * handshake (a renewal takes effect at the next connection) and trusting the CAs {@code keys}' current
     * credentials hold (a CA rollover step the hub sent takes effect at the next connection too).
     */
    public static ManagedChannel mutualTls(HubAddress hub, RotatingKeyManager keys) {
        try {
            SslContext tls = tlsToHub()
                    .keyManager(keys)
                    .trustManager(new RotatingTrustManager(() -> keys.current().hubCa()))
                    .protocols("TLSv1.3")
                    .build();
            keys.forgetSessionsOnReplace(tls.sessionContext());
            return NettyChannelBuilder.forAddress(hub.host(), hub.port())
                    .sslContext(tls)
                    .maxInboundMessageSize(GrpcLimits.MAX_MESSAGE_BYTES)
                    .keepAliveTime(GrpcLimits.CLIENT_KEEPALIVE_TIME.toMillis(), TimeUnit.MILLISECONDS)
                    .keepAliveTimeout(GrpcLimits.CLIENT_KEEPALIVE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .keepAliveWithoutCalls(true)
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS with the stored agent certificate", e);
        }
    }

    /** {@link #mutualTls(HubAddress, RotatingKeyManager)} with credentials that are never replaced. */
    public static ManagedChannel mutualTls(HubAddress hub, AgentCredentials credentials) {
        return mutualTls(hub, new RotatingKeyManager(credentials));
    }
}
