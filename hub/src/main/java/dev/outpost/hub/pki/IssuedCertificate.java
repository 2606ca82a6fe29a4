package dev.outpost.hub.pki;

import java.security.cert.X509Certificate;
import java.time.Instant;

/** A client certificate the CA signed for an agent. */
public record IssuedCertificate(X509Certificate certificate) {

    /** The serial as lower-case hex, as stored for the agent and compared on every stream. */
    public String serialHex() {
        return certificate.getSerialNumber().toString(16);
    }

    public Instant notAfter() {
        return certificate.getNotAfter().toInstant();
    }
}
