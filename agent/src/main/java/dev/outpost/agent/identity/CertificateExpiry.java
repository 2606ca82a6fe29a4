package dev.outpost.agent.identity;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When the agent's client certificate runs out, and what the operator must do about it. The agent
 * renews it itself ({@link CertificateRenewal}); should renewal keep failing and the certificate expire,
 * the TLS handshake fails, which looks like a hub that cannot be reached unless the agent says why.
 */
public final class CertificateExpiry {
    /** Warnings start this long before the certificate expires. */
    public static final Duration WARN_BEFORE = Duration.ofDays(7);
    private static final Logger LOG = LoggerFactory.getLogger(CertificateExpiry.class);

    private final Supplier<Instant> notAfter;
    private final String howToReEnrol;
    private final Clock clock;

    /**
     * @param notAfter the certificate's last valid instant
     * @param howToReEnrol what gives the agent a new certificate, see {@link IdentityFiles#howToReEnrol()}
     */
    public CertificateExpiry(Instant notAfter, String howToReEnrol, Clock clock) {
        this(() -> notAfter, howToReEnrol, clock);
    }

    /** As above, for a certificate that renewals replace: {@code notAfter} gives the current one's. */
    public CertificateExpiry(Supplier<Instant> notAfter, String howToReEnrol, Clock clock) {
        this.notAfter = notAfter;
        this.howToReEnrol = howToReEnrol;
        this.clock = clock;
    }

    /** Whether the certificate is no longer valid, so the hub refuses every connection. */
    public boolean expired() {
        return clock.instant().isAfter(notAfter.get());
    }

    /** The warning due now: from {@link #WARN_BEFORE} before expiry until it expires; empty otherwise. */
    public Optional<String> warning() {
        Instant end = notAfter.get();
        Duration left = Duration.between(clock.instant(), end);
        if (expired() || left.compareTo(WARN_BEFORE) > 0) {
            return Optional.empty();
        }
        return Optional.of("client certificate expires on " + end + " (in " + inWords(left)
                + ") and has not been renewed; the hub refuses it after that. The agent renews it itself (see the "
                + "renewal errors in this log); should that keep failing, enrol again before then with a new join token ("
                + howToReEnrol + ")");
    }

    /** The error for an expired certificate, naming what the operator must do. */
    public String expiredMessage() {
        return "client certificate expired on " + notAfter.get() + ": enrol again with a new join token (" + howToReEnrol + ")";
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
