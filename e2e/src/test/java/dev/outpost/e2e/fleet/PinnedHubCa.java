package dev.outpost.e2e.fleet;

import dev.outpost.protocol.CaFingerprint;
import dev.outpost.protocol.TrustAnchors;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trust for a simulated agent's enrolment, before it has a CA of its own: the hub is accepted only if
 * the last certificate of its chain has the join token's CA fingerprint, and then the chain (and host
 * name) is verified against that CA with the JVM's PKIX checks. So the token goes to no other server,
 * as with the real agent's {@code --ca-hash}.
 */
final class PinnedHubCa extends X509ExtendedTrustManager {
    private final String pin;

    PinnedHubCa(String fingerprint) {
        this.pin = CaFingerprint.parse(fingerprint);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        anchoredAtPinnedCa(chain).checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        anchoredAtPinnedCa(chain).checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        anchoredAtPinnedCa(chain).checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw new CertificateException("a simulated agent accepts no clients");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("a simulated agent accepts no clients");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("a simulated agent accepts no clients");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }

    private X509ExtendedTrustManager anchoredAtPinnedCa(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length < 2) {
            throw new CertificateException("the hub sent no CA certificate with its own; the pin cannot be checked");
        }
        X509Certificate ca = chain[chain.length - 1];
        if (!CaFingerprint.matches(pin, ca)) {
            throw new CertificateException("hub CA " + CaFingerprint.of(ca) + " is not the pinned " + pin);
        }
        return trusting(ca);
    }

    /** A PKIX trust manager whose only anchors are {@code cas}. */
    static X509ExtendedTrustManager trusting(X509Certificate... cas) throws CertificateException {
        try {
            return TrustAnchors.trusting(List.of(cas));
        } catch (IllegalStateException e) {
            throw new CertificateException(e.getMessage(), e);
        }
    }
}
