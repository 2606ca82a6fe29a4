package dev.outpost.hub.enrollment;

/**
 * The fingerprint of the hub's CA ("sha256:<hex>", see {@code CaFingerprint}) that join commands
 * carry so an agent can check it talks to this hub. Implemented by the PKI side.
 */
public interface CaFingerprintSource {

    /** The current CA's fingerprint. */
    String caFingerprint();
}
