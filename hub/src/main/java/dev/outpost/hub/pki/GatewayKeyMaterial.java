package dev.outpost.hub.pki;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The gateway's TLS identity: its key and its chain (gateway certificate, then the CA, so that an
 * agent can check the CA against its pinned fingerprint before it trusts anything), plus the CAs
 * that client certificates may chain to (more than one during a CA rollover).
 */
public record GatewayKeyMaterial(PrivateKey key, List<X509Certificate> chain, List<X509Certificate> clientCas) {
}
