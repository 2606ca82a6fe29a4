package dev.outpost.hub.enrollment;

import java.time.Instant;

/**
 * An agent being enrolled, with the certificate the hub's CA signed for it; nodeCount null when
 * unknown; {@code publicKeySha256} the hash of its key, which makes a retried enrolment recognisable.
 */
public record NewAgent(
        String agentId,
        String certificateSerialHex,
        Instant certificateNotAfter,
        String agentVersion,
        String kubernetesVersion,
        Integer nodeCount,
        String platform,
        String publicKeySha256) {

    /** An agent whose key hash is not recorded (tests that register agents without a CSR). */
    public NewAgent(String agentId, String certificateSerialHex, Instant certificateNotAfter, String agentVersion,
            String kubernetesVersion, Integer nodeCount, String platform) {
        this(agentId, certificateSerialHex, certificateNotAfter, agentVersion, kubernetesVersion, nodeCount, platform,
                null);
    }
}
