package dev.outpost.hub.auth;

import dev.outpost.protocol.Sha256;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;

/** Random secrets (API tokens, join token secrets, ids) and the hash they are stored under. */
public final class Secrets {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    /** Characters of a secret: 32 base32 characters are 160 random bits. */
    public static final int SECRET_CHARS = 32;

    private Secrets() {
    }

    /** {@code prefix} followed by {@code chars} random lower-case base32 characters (5 bits each). */
    public static String random(String prefix, int chars) {
        StringBuilder out = new StringBuilder(prefix.length() + chars).append(prefix);
        for (int i = 0; i < chars; i++) {
            out.append(BASE32[RANDOM.nextInt(BASE32.length)]);
        }
        return out.toString();
    }

    /** A new secret of {@link #SECRET_CHARS} characters after {@code prefix}. */
    public static String secret(String prefix) {
        return random(prefix, SECRET_CHARS);
    }

    /** A short random id such as {@code ten_k3j5...} (80 bits), valid in agent identity URIs. */
    public static String id(String prefix) {
        return random(prefix, 16);
    }

    /**
     * SHA-256 hex of a secret. A fast unsalted hash is enough here, unlike for passwords: every secret
     * the hub hands out has 160 random bits, so a leaked hash cannot be brute-forced back to it.
     */
    public static String hash(String secret) {
        return Sha256.hex(secret.getBytes(StandardCharsets.UTF_8));
    }

    /** Compares two hashes in constant time. */
    public static boolean sameHash(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
    }
}
