package dev.outpost.protocol;

import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.Locale;

/**
 * The pin an agent checks before trusting a hub: "sha256:" and the hex SHA-256 of the CA's
 * SubjectPublicKeyInfo (as kubeadm's discovery-token-ca-cert-hash). Hashing the key rather than the
 * certificate keeps the pin valid when the CA certificate is re-issued with the same key.
 */
public final class CaFingerprint {
    private static final String PREFIX = "sha256:";

    private CaFingerprint() {
    }

    /** The fingerprint of a CA certificate. */
    public static String of(X509Certificate ca) {
        return PREFIX + Sha256.hex(ca.getPublicKey().getEncoded());
    }

    /** Normalises a user-supplied fingerprint, or throws IllegalArgumentException naming the problem. */
    public static String parse(String text) {
        String value = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (!value.startsWith(PREFIX) || !value.substring(PREFIX.length()).matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException(
                    "CA fingerprint must look like sha256:<64 hex digits>, got '" + text + "'");
        }
        return value;
    }

    /** Whether the certificate's key has the given (normalised) fingerprint. */
    public static boolean matches(String fingerprint, X509Certificate ca) {
        return MessageDigest.isEqual(of(ca).getBytes(), parse(fingerprint).getBytes());
    }
}
