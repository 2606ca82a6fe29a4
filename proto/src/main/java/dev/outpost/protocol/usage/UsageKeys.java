package dev.outpost.protocol.usage;

import dev.outpost.protocol.Sha256;
import java.nio.charset.StandardCharsets;

/** The idempotency key of a usage record, computed the same way by the agent and by the hub. */
public final class UsageKeys {
    /** Keys of this derivation start with it; a new derivation would get a new prefix. */
    public static final String PREFIX = "u1-";

    private UsageKeys() {
    }

    /** The key of one meter of one deployment over the window [startMs, endMs) measured by {@code agentId}. */
    public static String key(String agentId, String deploymentId, String meter, long windowStartUnixMs,
            long windowEndUnixMs) {
        String identity = agentId + "|" + deploymentId + "|" + meter + "|" + windowStartUnixMs + "|" + windowEndUnixMs;
        return PREFIX + Sha256.hex(identity.getBytes(StandardCharsets.UTF_8));
    }
}
