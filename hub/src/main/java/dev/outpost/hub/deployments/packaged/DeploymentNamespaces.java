package dev.outpost.hub.deployments.packaged;

import dev.outpost.protocol.Sha256;
import java.nio.charset.StandardCharsets;

/** The name of the namespace the agent creates for one deployment. */
public final class DeploymentNamespaces {
    /** What every per-deployment namespace starts with, so an operator can tell them from others. */
    public static final String PREFIX = "op-";
    private static final int MAX = 63;
    private static final int HASH_CHARS = 8;

    private DeploymentNamespaces() {
    }

    /**
     * {@code op-<name>}; a name too long for that keeps its first characters and gets a short hash of
     * the whole name, so two long names that share a prefix still get two namespaces.
     */
    public static String of(String deploymentName) {
        String plain = PREFIX + deploymentName;
        if (plain.length() <= MAX) {
            return plain;
        }
        String hash = Sha256.hex(deploymentName.getBytes(StandardCharsets.UTF_8)).substring(0, HASH_CHARS);
        String head = plain.substring(0, MAX - HASH_CHARS - 1);
        while (head.endsWith("-")) { // a label may not have "--" before the hash look like a cut
            head = head.substring(0, head.length() - 1);
        }
        return head + "-" + hash;
    }
}
