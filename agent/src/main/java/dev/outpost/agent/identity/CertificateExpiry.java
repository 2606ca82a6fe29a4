package dev.outpost.agent.identity;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When the agent's client certificate runs out, and what the operator must do about it. The hub
 * issues it at enrolment and never renews it: once it has expired the TLS handshake fails, which
 * looks like a hub that cannot be reached unless the agent says why.
 */
public final class CertificateExpiry {
    /** Warnings start this long before the certificate expires. */
    public static final Duration WARN_BEFORE = Duration.ofDays(7);
    private static final Logger LOG = LoggerFactory.getLogger(CertificateExpiry.class);

    private final Instant notAfter;
    private final String howToReEnrol;
    private final Clock clock;

    /**
     * @param notAfter the certificate's last valid instant
     * @param howToReEnrol what gives the agent a new certificate, see {@link IdentityFiles#howToReEnrol()}
     */
    public CertificateExpiry(Instant notAfter, String howToReEnrol, Clock clock) {
        this.notAfter = notAfter;
        this.howToReEnrol = howToReEnrol;
        this.clock = clock;
    }

    /** Whether the certificate is no longer valid, so the hub refuses every connection. */
    public boolean expired() {
        return clock.instant().isAfter(notAfter);
    }

    /** The warning due now: from {@link #WARN_BEFORE} before expiry until it expires; empty otherwise. */
    public Optional<String> warning() {
        Duration left = Duration.between(clock.instant(), notAfter);
        if (expired() || left.compareTo(WARN_BEFORE) > 0) {
            return Optional.empty();
        }
        return Optional.of("client certificate expires on " + notAfter + " (in " + inWords(left)
                + "); the hub refuses it after that. Enrol again before then with a new join token ("
                + howToReEnrol + ")");
    }

    /** The error for an expired certificate, naming what the operator must do. */
    public String expiredMessage() {
        return "client certificate expired on " + notAfter + ": enrol again with a new join token (" + howToReEnrol + ")";
    }

    /** What gives the agent a new certificate. */
    public String howToReEnrol() {
        return howToReEnrol;
    }

    /** Logs the warning or error due now, if any; run periodically. */
    public void check() {
        if (expired()) {
            LOG.error(expiredMessage());
        } else {
            warning().ifPresent(LOG::warn);
        }
    }

    private static String inWords(Duration left) {
        return left.toDays() >= 1 ? left.toDays() + (left.toDays() == 1 ? " day" : " days")
                : left.toHours() >= 1 ? left.toHours() + (left.toHours() == 1 ? " hour" : " hours")
                : "less than an hour";
    }
}
