package dev.outpost.hub.pki;

import dev.outpost.hub.config.HubConfig;
import dev.outpost.hub.enrollment.CaFingerprintSource;
import dev.outpost.protocol.AgentIdentity;
import dev.outpost.protocol.CaFingerprint;
import dev.outpost.protocol.EcKeys;
import dev.outpost.protocol.Pem;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub's certificate authority. Its key lives in {@code <dataDir>/pki} and is created on the
 * first start only, so agents keep trusting a restarted hub. It signs the gateway's server
 * certificate and the agents' client certificates. A CA rollover ({@link CaFiles}) changes the files;
 * {@link #reload} takes them in while the hub runs.
 */
@Singleton
public class HubCertificateAuthority implements CaFingerprintSource {
    private static final Logger LOG = LoggerFactory.getLogger(HubCertificateAuthority.class);
    private static final String GATEWAY_NAME = "Outpost agent gateway";
    private static final Duration GATEWAY_LIFETIME = Duration.ofDays(365);
    private static final Duration GATEWAY_RENEW_BEFORE = Duration.ofDays(30);
    /** Back-dating of notBefore, so a peer whose clock is a little behind accepts a fresh certificate. */
    private static final Duration CLOCK_SKEW = CaFiles.CLOCK_SKEW;

    private final Path dir;
    private final Clock clock;
    /** The key secrets at rest are sealed with derives from the CA that signed at start. */
    private final PrivateKey startKey;
    private volatile CaFiles.CaSet set;
    private volatile String stamp;

    @Inject
    public HubCertificateAuthority(HubConfig config, Clock clock) {
        this(config.getDataDir().resolve("pki"), clock);
    }

    /** Loads the CA from {@code dir}, or creates it there when there is none. */
    public HubCertificateAuthority(Path dir, Clock clock) {
        this.dir = dir;
        this.clock = clock;
        if (CaFiles.exists(dir)) {
            set = CaFiles.load(dir);
            LOG.info("Loaded hub CA from {} (fingerprint {}{})", dir, caFingerprint(), describeRollover(set));
        } else {
            CaFiles.create(dir, clock);
            set = CaFiles.load(dir);
            LOG.info("Created hub CA in {} (fingerprint {})", dir, caFingerprint());
        }
        stamp = CaFiles.stamp(dir);
        startKey = set.signing().key();
    }

    /**
     * Reads the CA files again if they changed (a rollover step); true when the set of CAs did. A set
     * that cannot be read now (a step half-way) is left for the next call; the current one stays.
     */
    public synchronized boolean reload() {
        String now = CaFiles.stamp(dir);
        if (now.equals(stamp)) {
            return false;
        }
        CaFiles.CaSet loaded;
        try {
            loaded = CaFiles.load(dir);
        } catch (RuntimeException e) {
            LOG.warn("The CA files in {} changed but cannot be read now ({}); keeping the CA set in use", dir,
                    e.getMessage());
            return false;
        }
        stamp = now;
        boolean changed = !loaded.trusted().equals(set.trusted());
        set = loaded;
        if (changed) {
            LOG.info("CA set changed: signing with {}, trusting {}{}", caFingerprint(),
                    loaded.trusted().stream().map(CaFingerprint::of).toList(), describeRollover(loaded));
        }
        return changed;
    }

    private static String describeRollover(CaFiles.CaSet set) {
        return switch (set.phase()) {
            case STEADY -> "";
            case PREPARED -> "; rollover prepared: next CA " + set.next().orElseThrow().fingerprint() + " trusted, not yet signing";
            case ACTIVATED -> "; rollover activated: previous CA " + set.previous().orElseThrow().fingerprint()
                    + " still trusted until it is retired";
        };
    }

    /**
     * A 32-byte secret for {@code purpose}, derived from the private key of the CA that signed when
     * the hub started (HMAC-SHA256 of the purpose under the key's encoding): the same in every
     * replica that shares the CA, and nothing of the key itself leaves this class.
     */
    public byte[] derivedSecret(String purpose) {
        return derive(startKey, purpose);
    }

    /**
     * The same secret derived from each other CA key kept (next, previous, retired), so that what
     * was sealed with it before a rollover still opens.
     */
    public List<byte[]> olderDerivedSecrets(String purpose) {
        CaFiles.CaSet current = set;
        List<PrivateKey> keys = new ArrayList<>();
        keys.add(current.signing().key());
        current.next().ifPresent(a -> keys.add(a.key()));
        current.previous().ifPresent(a -> keys.add(a.key()));
        keys.addAll(current.retiredKeys());
        return keys.stream().filter(k -> !k.equals(startKey)).map(k -> derive(k, purpose)).toList();
    }

    private static byte[] derive(PrivateKey key, String purpose) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getEncoded(), "HmacSHA256"));
            return mac.doFinal(purpose.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot derive a secret from the CA key", e);
        }
    }

    /** The CA that signs now, which agents pin at enrolment. */
    public X509Certificate caCertificate() {
        return set.signing().certificate();
    }

    /** Every CA trusted now (the signing one first): what agents trust for the hub and the gateway for agents. */
    public List<X509Certificate> trustedCas() {
        return set.trusted();
    }

    /** Where a rollover stands. */
    public CaFiles.Phase rolloverPhase() {
        return set.phase();
    }

    @Override
    public String caFingerprint() {
        return CaFingerprint.of(caCertificate());
    }

    /**
     * The gateway's server key and chain, for these host names. Reuses the stored certificate unless
     * it is missing, was not signed by the signing CA, names other hosts, or expires within 30 days;
     * a new one is stored for the next start.
     */
    public GatewayKeyMaterial gatewayKeyMaterial(Collection<String> hostnames) {
        return gatewayKeyMaterial(hostnames, true);
    }

    /**
     * As {@link #gatewayKeyMaterial(Collection)}, for a CA rollover taken in while running: a new
     * certificate is kept in memory only, since replicas sharing the pki folder take the step at the
     * same moment and one replica's key must never be stored beside another's certificate.
     */
    public GatewayKeyMaterial gatewayKeyMaterialAfterRollover(Collection<String> hostnames) {
        return gatewayKeyMaterial(hostnames, false);
    }

    private synchronized GatewayKeyMaterial gatewayKeyMaterial(Collection<String> hostnames, boolean store) {
        CaFiles.Authority signing = set.signing();
        List<X509Certificate> trusted = set.trusted();
        GeneralNames altNames = SubjectAltNames.forHosts(hostnames);
        Path keyFile = dir.resolve("gateway.key");
        Path certFile = dir.resolve("gateway.crt");
        if (Files.exists(keyFile) && Files.exists(certFile)) {
            PrivateKey key = Pem.parseEcPrivateKey(read(keyFile));
            X509Certificate certificate = Pem.parseCertificate(read(certFile));
            if (isCurrent(certificate, signing.certificate(), altNames)) {
                return new GatewayKeyMaterial(key, List.of(certificate, signing.certificate()), trusted);
            }
            LOG.info("Gateway certificate is outdated (host names, issuer or expiry); issuing a new one");
        }
        KeyPair pair = EcKeys.generateP256();
        Instant now = clock.instant();
        X509Certificate certificate = CertificateBuilder.leaf(signing.certificate(), signing.key(), GATEWAY_NAME,
                pair.getPublic(), altNames, KeyPurposeId.id_kp_serverAuth, now.minus(CLOCK_SKEW), now.plus(GATEWAY_LIFETIME));
        if (store) {
            PrivateFiles.createPrivateDirectory(dir);
            PrivateFiles.writeSecret(keyFile, Pem.privateKey(pair.getPrivate()));
            PrivateFiles.writePublic(certFile, Pem.certificate(certificate));
        }
        LOG.info("Issued gateway certificate for {} valid until {}, signed by CA {}{}", hostnames,
                certificate.getNotAfter().toInstant(), signing.fingerprint(), store ? "" : " (kept in memory)");
        return new GatewayKeyMaterial(pair.getPrivate(), List.of(certificate, signing.certificate()), trusted);
    }

    /**
     * Signs an agent's CSR: subject CN = agent id, URI SAN = the identity, client-auth only, valid
     * from a little before now (see {@link #backdating}) for {@code ttl}. Throws IllegalArgumentException for a bad CSR.
     */
    public IssuedCertificate signAgentCsr(byte[] csrDer, AgentIdentity identity, Duration ttl) {
        PublicKey agentKey = AgentCsr.validatedPublicKey(csrDer);
        Instant now = clock.instant();
        GeneralNames uri = new GeneralNames(
                new GeneralName(GeneralName.uniformResourceIdentifier, identity.toUri().toString()));
        CaFiles.Authority signing = set.signing();
        return new IssuedCertificate(CertificateBuilder.leaf(signing.certificate(), signing.key(), identity.agentId(), agentKey,
                uri, KeyPurposeId.id_kp_clientAuth, now.minus(backdating(ttl)), now.plus(ttl)));
    }

    /**
     * How far an agent certificate's notBefore lies in the past: five minutes, or a tenth of a short
     * lifetime, so that the agent's renewal point (two thirds from notBefore) stays in the future.
     */
    static Duration backdating(Duration ttl) {
        Duration tenth = ttl.dividedBy(10);
        return tenth.compareTo(CLOCK_SKEW) < 0 ? tenth : CLOCK_SKEW;
    }

    private boolean isCurrent(X509Certificate certificate, X509Certificate signingCa, GeneralNames altNames) {
        try {
            certificate.verify(signingCa.getPublicKey());
        } catch (GeneralSecurityException e) {
            return false;
        }
        Instant renewAt = certificate.getNotAfter().toInstant().minus(GATEWAY_RENEW_BEFORE);
        return clock.instant().isBefore(renewAt) && SubjectAltNames.certificateHas(certificate, altNames);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
