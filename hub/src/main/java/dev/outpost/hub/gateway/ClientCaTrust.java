package dev.outpost.hub.gateway;

import dev.outpost.protocol.TrustAnchors;
import dev.outpost.protocol.text.FreeText;
import io.grpc.netty.shaded.io.netty.handler.ssl.OpenSslCertificateException;
import io.grpc.netty.shaded.io.netty.internal.tcnative.CertificateVerifier;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trusts client certificates that chain to a hub CA (more than one during a CA rollover; {@link
 * #trust} replaces them while the gateway runs), and refuses others with a verification error
 * the TLS stack turns into a specific alert: {@code unknown_ca} (RFC 8446: no known trust anchor),
 * where the default translation makes BoringSSL send {@code internal_error}. Server certificates are
 * never checked with it.
 */
final class ClientCaTrust extends X509ExtendedTrustManager {
    private static final Logger LOG = LoggerFactory.getLogger(ClientCaTrust.class);

    private volatile X509ExtendedTrustManager delegate;

    ClientCaTrust(List<X509Certificate> clientCas) {
        this.delegate = TrustAnchors.trusting(clientCas);
    }

    /** Trusts {@code clientCas} from the next handshake on. */
    void trust(List<X509Certificate> clientCas) {
        this.delegate = TrustAnchors.trusting(clientCas);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        try {
            delegate.checkClientTrusted(chain, authType, engine);
        } catch (CertificateException e) {
            throw refused(chain, e);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        try {
            delegate.checkClientTrusted(chain, authType, socket);
        } catch (CertificateException e) {
            throw refused(chain, e);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        try {
            delegate.checkClientTrusted(chain, authType);
        } catch (CertificateException e) {
            throw refused(chain, e);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw new CertificateException("the gateway does not verify server certificates");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("the gateway does not verify server certificates");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("the gateway does not verify server certificates");
    }

    /**
     * None named: the TLS stack reads this once, when the context is built, for the CA names it asks
     * clients for, and a client whose certificate a CA rollover issued since would then send none.
     * Every client certificate is checked against the CAs trusted now instead.
     */
    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }

    private static CertificateException refused(X509Certificate[] chain, CertificateException cause) {
        String subject = chain == null || chain.length == 0 ? "none" : chain[0].getSubjectX500Principal().getName();
        LOG.warn("Refused a client certificate that does not chain to the hub CA (subject {}): {}", FreeText.forLog(subject),
                FreeText.forLog(cause.getMessage()));
        OpenSslCertificateException refused = new OpenSslCertificateException(
                "client certificate does not chain to the hub CA", CertificateVerifier.X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
        refused.initCause(cause);
        return refused;
    }
}
