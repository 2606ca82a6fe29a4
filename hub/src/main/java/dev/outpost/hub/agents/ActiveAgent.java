package dev.outpost.hub.agents;

import java.math.BigInteger;

/**
 * An enrolled, non-revoked agent, the serial of its current client certificate, and the serial of the
 * certificate a renewal issued that the agent has not connected with yet (null when there is none).
 * Both are admitted: the next one takes over at the agent's first connection with it.
 */
public record ActiveAgent(String agentId, String tenantId, String environmentId, String certificateSerialHex,
        String nextCertificateSerialHex) {

    /** An agent with no renewal pending. */
    public ActiveAgent(String agentId, String tenantId, String environmentId, String certificateSerialHex) {
        this(agentId, tenantId, environmentId, certificateSerialHex, null);
    }

    /** Whether a certificate with this serial is admitted: the current one or the renewed one. */
    public boolean admits(BigInteger serial) {
        return sameSerial(certificateSerialHex, serial) || sameSerial(nextCertificateSerialHex, serial);
    }

    /** Whether the serial is the renewed certificate's, which then takes over from the current one. */
    public boolean isNext(BigInteger serial) {
        return sameSerial(nextCertificateSerialHex, serial) && !sameSerial(certificateSerialHex, serial);
    }

    /** This agent as seen by a call that presented {@code serial}: that certificate, nothing pending. */
    public ActiveAgent presenting(BigInteger serial) {
        String presented = sameSerial(nextCertificateSerialHex, serial) ? nextCertificateSerialHex : certificateSerialHex;
        return new ActiveAgent(agentId, tenantId, environmentId, presented, null);
    }

    /**
     * Whether a call admitted as {@code held} (see {@link #presenting}) may go on now: same tenant and
     * environment, and its certificate still admitted (not superseded by an enrolment or a renewal taken over).
     */
    public boolean stillAdmits(ActiveAgent held) {
        return agentId.equals(held.agentId()) && tenantId.equals(held.tenantId())
                && environmentId.equals(held.environmentId()) && admits(parse(held.certificateSerialHex()));
    }

    private static boolean sameSerial(String storedHex, BigInteger serial) {
        BigInteger stored = parse(storedHex);
        return stored != null && stored.equals(serial);
    }

    private static BigInteger parse(String hex) {
        try {
            return hex == null ? null : new BigInteger(hex, 16);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
