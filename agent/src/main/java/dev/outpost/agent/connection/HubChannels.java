package dev.outpost.agent.connection;

import dev.outpost.agent.config.HubAddress;
import dev.outpost.agent.identity.AgentCredentials;
import dev.outpost.agent.tls.RotatingKeyManager;
import dev.outpost.agent.tls.RotatingTrustManager;
import dev.outpost.protocol.GrpcLimits;
import io.grpc.ManagedChannel;
import io.grpc.okhttp.OkHttpChannelBuilder;
import java.security.GeneralSecurityException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;

/** The mutual-TLS channel to the hub: the agent's certificate, trust in the hub CA only, host name checked. */
public final class HubChannels {
    private static final String[] TLS_1_3 = {"TLSv1.3"};
    /** TLS 1.3's cipher suites; OkHttp's default list has TLS 1.2's only. */
    private static final String[] TLS_1_3_CIPHER_SUITES = {
        "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"};
    /**
     * What the hub may send on a stream before the agent has read it: Netty's default, as before.
     * OkHttp's own, 64 KiB, would take a round trip per 64 KiB of a 4 MiB command on a far link.
     */
    static final int FLOW_CONTROL_WINDOW_BYTES = 1024 * 1024;

    private HubChannels() {
    }

    /**
     * The JDK's TLS, the one the Kubernetes client uses too: one TLS stack in the process, and no
     * native library unpacked at run time in the customer's cluster. {@code keys} is null before
     * enrolment, when the agent has no certificate yet.
     */
    public static SSLContext tlsToHub(KeyManager keys, X509TrustManager trust) {
        try {
            SSLContext context = SSLContext.getInstance("TLSv1.3");
            context.init(keys == null ? null : new KeyManager[] {keys}, new X509TrustManager[] {trust}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS to the hub: " + e.getMessage(), e);
        }
    }

    /**
     * A channel to the hub over {@code tls}, on gRPC's OkHttp transport: TLS 1.3 only, the hub's host
     * name checked against its certificate, messages bounded by the protocol's limit, a 1 MiB window.
     */
    public static OkHttpChannelBuilder to(HubAddress hub, SSLContext tls) {
        return OkHttpChannelBuilder.forAddress(hub.host(), hub.port())
                .sslSocketFactory(new HostCheckingSockets(tls.getSocketFactory()))
                .tlsConnectionSpec(TLS_1_3, TLS_1_3_CIPHER_SUITES)
                .flowControlWindow(FLOW_CONTROL_WINDOW_BYTES)
                .maxInboundMessageSize(GrpcLimits.MAX_MESSAGE_BYTES);
    }

    /**
     * The channel to the hub, proving the agent with {@code keys}' current certificate at each
     * handshake (a renewal takes effect at the next connection) and trusting the CAs {@code keys}' current
     * credentials hold (a CA rollover step the hub sent takes effect at the next connection too).
     */
    public static ManagedChannel mutualTls(HubAddress hub, RotatingKeyManager keys) {
        SSLContext tls = tlsToHub(keys, new RotatingTrustManager(() -> keys.current().hubCa()));
        keys.forgetSessionsOnReplace(tls.getClientSessionContext());
        return to(hub, tls)
                .keepAliveTime(GrpcLimits.CLIENT_KEEPALIVE_TIME.toMillis(), TimeUnit.MILLISECONDS)
                .keepAliveTimeout(GrpcLimits.CLIENT_KEEPALIVE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .keepAliveWithoutCalls(true)
                .build();
    }

    /** {@link #mutualTls(HubAddress, RotatingKeyManager)} with credentials that are never replaced. */
    public static ManagedChannel mutualTls(HubAddress hub, AgentCredentials credentials) {
        return mutualTls(hub, new RotatingKeyManager(credentials));
    }
}
