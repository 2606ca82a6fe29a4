package dev.outpost.agent.enrollment;

import dev.outpost.protocol.CaFingerprint;
import dev.outpost.protocol.TrustAnchors;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts a hub only if the CA at the end of the chain it presents has the pinned key fingerprint;
 * then verifies the chain against that CA, and the host name, as usual. Used before the agent has a
 * CA of its own to trust, so that the join token is never sent to an impostor.
 */
public final class PinnedCaTrustManager extends X509ExtendedTrustManager {
    private final String pin;
    private final AtomicReference<String> mismatch = new AtomicReference<>();

    public PinnedCaTrustManager(String pin) {
        this.pin = CaFingerprint.parse(pin);
    }

    /** Why the last handshake was refused because of the pin, if it was. */
    public Optional<String> mismatch() {
        return Optional.ofNullable(mismatch.get());
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        pinned(chain).checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        pinned(chain).checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        pinned(chain).checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw new CertificateException("the agent does not accept clients");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("the agent does not accept clients");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("the agent does not accept clients");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }

    /** A standard PKIX trust manager anchored at the chain's CA, once that CA matched the pin. */
    private X509ExtendedTrustManager pinned(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length < 2) {
            throw refuse("the hub did not send its CA certificate with its own, so --ca-hash cannot be checked");
        }
        X509Certificate ca = chain[chain.length - 1];
        if (!CaFingerprint.matches(pin, ca)) {
            throw refuse("hub CA fingerprint " + CaFingerprint.of(ca) + " does not match --ca-hash " + pin);
        }
        try {
            return TrustAnchors.trusting(List.of(ca));
        } catch (IllegalStateException e) {
            throw new CertificateException(e.getMessage(), e);
        }
    }

    private CertificateException refuse(String reason) {
        mismatch.set(reason);
        return new CertificateException(reason);
    }
}
