package dev.outpost.agent.tls;

import dev.outpost.protocol.TrustAnchors;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts the hub's gateway by the CAs the agent holds now ({@code hubCa}, read at every handshake):
 * after a renewal or a CA rollover step the next connection checks the gateway against the new set,
 * with the JDK's checks (chain, validity, the host name the channel asks for). Open connections
 * keep the check they passed.
 */
public final class RotatingTrustManager extends X509ExtendedTrustManager {
    private final Supplier<List<X509Certificate>> hubCa;
    private volatile Built built;

    /** The trust manager made for one set of CAs. */
    private record Built(List<X509Certificate> cas, X509ExtendedTrustManager manager) {
    }

    public RotatingTrustManager(Supplier<List<X509Certificate>> hubCa) {
        this.hubCa = hubCa;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        current().checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        current().checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        current().checkServerTrusted(chain, authType);
    }

    /** The agent is a client only. */
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw new CertificateException("the agent does not accept client certificates");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("the agent does not accept client certificates");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("the agent does not accept client certificates");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return hubCa.get().toArray(X509Certificate[]::new);
    }

    private X509ExtendedTrustManager current() {
        List<X509Certificate> cas = hubCa.get();
        Built last = built;
        if (last == null || !last.cas().equals(cas)) {
            last = new Built(cas, TrustAnchors.trusting(cas));
            built = last;
        }
        return last.manager();
    }
}
