package dev.outpost.hub.enrollment;

/** The fingerprint agents pin in their join command. */
public interface CaFingerprintSource {
    String caFingerprint();
}
