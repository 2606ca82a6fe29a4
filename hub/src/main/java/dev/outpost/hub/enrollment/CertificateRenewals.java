package dev.outpost.hub.enrollment;

import dev.outpost.hub.agents.ActiveAgent;
import dev.outpost.hub.config.HubConfig;
import dev.outpost.hub.pki.AgentCsr;
import dev.outpost.hub.pki.HubCertificateAuthority;
import dev.outpost.hub.pki.IssuedCertificate;
import dev.outpost.protocol.AgentIdentity;
import dev.outpost.protocol.text.FreeText;
import jakarta.inject.Singleton;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews an enrolled agent's client certificate: a new key, the same identity, the configured
 * lifetime. The new certificate is recorded as the agent's next one; see {@link EnrollmentStore#renewed}.
 */
@Singleton
public class CertificateRenewals {
    private static final Logger LOG = LoggerFactory.getLogger(CertificateRenewals.class);

    private final EnrollmentStore store;
    private final HubCertificateAuthority ca;
    private final HubConfig config;
    private final Clock clock;

    public CertificateRenewals(EnrollmentStore store, HubCertificateAuthority ca, HubConfig config, Clock clock) {
        this.store = store;
        this.ca = ca;
        this.config = config;
        this.clock = clock;
    }

    /** Why a renewal was refused; nothing was issued or written. */
    public static final class RenewalRefusedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /** The request is wrong (its CSR); the same request is refused again. */
        public enum Kind { BAD_REQUEST, TOO_EARLY, NOT_ADMITTED }

        private final Kind kind;

        RenewalRefusedException(Kind kind, String message) {
            super(message);
            this.kind = kind;
        }

        public Kind kind() {
            return kind;
        }
    }

    /**
     * Issues a certificate for {@code caller}'s identity over the CSR's key, once half of the presented
     * certificate's lifetime has passed; a key equal to the presented one is refused (a renewal must not
     * extend a key's life).
     */
    public IssuedCertificate renew(ActiveAgent caller, X509Certificate presented, byte[] csrDer) {
        AgentIdentity identity = new AgentIdentity(caller.tenantId(), caller.environmentId(), caller.agentId());
        Instant opens = opensAt(presented);
        if (clock.instant().isBefore(opens)) {
            throw refused(identity, RenewalRefusedException.Kind.TOO_EARLY, "renewal opens at " + opens
                    + ", half-way through the certificate's lifetime");
        }
        PublicKey key;
        try {
            key = AgentCsr.validatedPublicKey(csrDer);
        } catch (IllegalArgumentException e) {
            throw refused(identity, RenewalRefusedException.Kind.BAD_REQUEST, e.getMessage());
        }
        if (Arrays.equals(key.getEncoded(), presented.getPublicKey().getEncoded())) {
            throw refused(identity, RenewalRefusedException.Kind.BAD_REQUEST, "CSR key is the current certificate's: "
                    + "a renewal needs a new key");
        }
        IssuedCertificate issued = ca.signAgentCsr(csrDer, identity, config.getAgentCertificateTtl());
        if (!store.renewed(caller.agentId(), caller.certificateSerialHex(), issued.serialHex(), issued.notAfter())) {
            throw refused(identity, RenewalRefusedException.Kind.NOT_ADMITTED, "agent revoked or certificate superseded");
        }
        LOG.info("agent={} tenant={} environment={} renewed its certificate: {} until {} replaces {} at its next "
                        + "connection", caller.agentId(), caller.tenantId(), caller.environmentId(), issued.serialHex(),
                issued.notAfter(), caller.certificateSerialHex());
        return issued;
    }

    /** Half-way from the certificate's notBefore to its notAfter. */
    static Instant opensAt(X509Certificate certificate) {
        Instant notBefore = certificate.getNotBefore().toInstant();
        Duration lifetime = Duration.between(notBefore, certificate.getNotAfter().toInstant());
        return notBefore.plus(lifetime.dividedBy(2));
    }

    private static RenewalRefusedException refused(AgentIdentity identity, RenewalRefusedException.Kind kind,
            String why) {
        LOG.warn("Certificate renewal refused for {}: {}", identity, FreeText.forLog(why));
        return new RenewalRefusedException(kind, why);
    }
}
