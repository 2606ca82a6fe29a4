package dev.outpost.hub.enrollment;

import java.time.Instant;

/** An agent being enrolled, with the certificate the hub's CA signed for it. */
public record NewAgent(
        String agentId,
        String certificateSerialHex,
        Instant certificateNotAfter,
        String agentVersion,
        String kubernetesVersion,
        int nodeCount,
        String platform) {
}
