package dev.outpost.hub.gateway;

import dev.outpost.hub.pki.SubjectAltNames;
import dev.outpost.protocol.AgentIdentity;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/** Reads an agent's identity from the client certificate the TLS handshake verified. */
final class AgentCertificates {
    private AgentCertificates() {
    }

    /** The verified client certificate of the session, if the client presented one. */
    static Optional<X509Certificate> peerCertificate(SSLSession session) {
        if (session == null) {
            return Optional.empty();
        }
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x509 ? Optional.of(x509) : Optional.empty();
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
    }

    /**
     * The identity in the certificate's URI SAN. Throws IllegalArgumentException unless there is
     * exactly one URI SAN and it is an Outpost agent identity.
     */
    static AgentIdentity identityOf(X509Certificate certificate) {
        List<String> uris = SubjectAltNames.urisOf(certificate);
        if (uris.size() != 1) {
            throw new IllegalArgumentException("expected one URI SAN, found " + uris.size());
        }
        return AgentIdentity.parse(uris.getFirst());
    }
}
