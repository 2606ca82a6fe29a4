package dev.outpost.hub.gateway;

import dev.outpost.protocol.GrpcLimits;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;

/** Client channels to a gateway under test, over TLS on loopback trusting the hub CA; closed together. */
public final class GatewayChannels implements AutoCloseable {
    private final IntSupplier port;
    private final Supplier<X509Certificate> hubCa;
    private final List<ManagedChannel> open = new CopyOnWriteArrayList<>();

    public GatewayChannels(IntSupplier port, Supplier<X509Certificate> hubCa) {
        this.port = port;
        this.hubCa = hubCa;
    }

    /** A channel without a client certificate, as an agent enrolling uses. */
    public ManagedChannel anonymous() {
        return open(GrpcSslContexts.forClient());
    }

    /** A channel presenting {@code certificate}, as an enrolled agent uses. */
    public ManagedChannel withCertificate(KeyPair keys, X509Certificate certificate) {
        return open(GrpcSslContexts.forClient().keyManager(keys.getPrivate(), certificate));
    }

    private ManagedChannel open(SslContextBuilder tls) {
        ManagedChannel channel;
        try {
            channel = NettyChannelBuilder.forAddress("127.0.0.1", port.getAsInt())
                    .sslContext(tls.trustManager(hubCa.get()).build())
                    .maxInboundMessageSize(GrpcLimits.MAX_MESSAGE_BYTES)
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException(e);
        }
        open.add(channel);
        return channel;
    }

    @Override
    public void close() {
        open.forEach(ManagedChannel::shutdownNow);
        open.clear();
    }
}
