package dev.outpost.hub.enrollment;

import java.time.Instant;

/** An agent being enrolled, with the certificate the hub's CA signed for it; nodeCount null when unknown. */
public record NewAgent(
        String agentId,
        String certificateSerialHex,
        Instant certificateNotAfter,
        String agentVersion,
        String kubernetesVersion,
        Integer nodeCount,
        String platform) {
}
