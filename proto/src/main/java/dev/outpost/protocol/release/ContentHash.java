package dev.outpost.protocol.release;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** "sha256:<hex>" of rendered manifests: what the agent reports as applied and the hub compares. */
public final class ContentHash {
    private ContentHash() {
    }

    /** The hash of a rendered manifest text. */
    public static String of(String rendered) {
        try {
            return "sha256:" + HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(rendered.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
