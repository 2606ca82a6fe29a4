package dev.outpost.protocol.release;

import dev.outpost.protocol.Sha256;
import java.nio.charset.StandardCharsets;

/** "sha256:<hex>" of rendered manifests: what the agent reports as applied and the hub compares. */
public final class ContentHash {
    private ContentHash() {
    }

    /** The hash of a rendered manifest text. */
    public static String of(String rendered) {
        return "sha256:" + Sha256.hex(rendered.getBytes(StandardCharsets.UTF_8));
    }
}
