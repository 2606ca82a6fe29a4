package dev.outpost.hub.enrollment;

import java.time.Instant;
import java.util.Optional;

/**
 * What enrollment needs from the store: checking join tokens and registering the agent that used
 * one. The gateway calls it; the store side implements it.
 */
public interface EnrollmentStore {

    /**
     * Checks a join token ("id.secret") without consuming it.
     *
     * @throws JoinTokenRejectedException if it is malformed, unknown, expired or used up
     */
    JoinGrant check(String joinToken);

    /**
     * In one transaction: consumes one use of the grant's token (checking expiry and uses again, so
     * two agents racing for the last use cannot both win), revokes the environment's previous agent if
     * there is one, and records the new agent with its certificate. Enrolments of one environment run
     * one at a time, so it never has two active agents. Nothing is written when it throws.
     *
     * @throws JoinTokenRejectedException if the token expired or was used up meanwhile
     */
    void register(JoinGrant grant, NewAgent agent);

    /**
     * The agent that already enrolled with this join token ("id.secret") and the key whose SubjectPublicKeyInfo
     * hashes to {@code publicKeySha256}, if it is still active and the token has not expired (it may be
     * used up: that first enrolment used it). Empty for anything else, which then enrols as new.
     */
    Optional<RetriedEnrolment> retried(String joinToken, String publicKeySha256);

    /** Records the new certificate of a retried enrolment's agent (the one it was given before is never used). */
    void reissue(String agentId, String certificateSerialHex, Instant certificateNotAfter);

    /**
     * Records the certificate a renewal issued as the agent's next one, replacing any issued before
     * that the agent never connected with. False when the agent was revoked meanwhile, or its current
     * certificate is no longer {@code presentedSerialHex} (then nothing is written).
     */
    boolean renewed(String agentId, String presentedSerialHex, String nextSerialHex, Instant nextNotAfter);
}
