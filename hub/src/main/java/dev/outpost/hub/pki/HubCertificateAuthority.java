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
 * certificate and the agents' client certificates.
 */
@Singleton
public class HubCertificateAuthority implements CaFingerprintSource {
    private static final Logger LOG = LoggerFactory.getLogger(HubCertificateAuthority.class);
    private static final String CA_NAME = "Outpost hub CA";
    private static final String GATEWAY_NAME = "Outpost agent gateway";
    private static final Duration CA_LIFETIME = Duration.ofDays(3650);
    private static final Duration GATEWAY_LIFETIME = Duration.ofDays(365);
    private static final Duration GATEWAY_RENEW_BEFORE = Duration.ofDays(30);
    /** Back-dating of notBefore, so a peer whose clock is a little behind accepts a fresh certificate. */
    private static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

    private final Path dir;
    private final Clock clock;
    private final PrivateKey caKey;
    private final X509Certificate caCertificate;

    @Inject
    public HubCertificateAuthority(HubConfig config, Clock clock) {
        this(config.getDataDir().resolve("pki"), clock);
    }

    /** Loads the CA from {@code dir}, or creates it there when there is none. */
    public HubCertificateAuthority(Path dir, Clock clock) {
        this.dir = dir;
        this.clock = clock;
        Path keyFile = dir.resolve("ca.key");
        Path certFile = dir.resolve("ca.crt");
        if (Files.exists(keyFile) && Files.exists(certFile)) {
            caKey = Pem.parseEcPrivateKey(read(keyFile));
            caCertificate = Pem.parseCertificate(read(certFile));
            LOG.info("Loaded hub CA from {} (fingerprint {})", dir, caFingerprint());
        } else if (Files.exists(keyFile) || Files.exists(certFile)) {
            throw new IllegalStateException("Half a CA in " + dir + ": ca.key and ca.crt must both exist or both be absent");
        } else {
            PrivateFiles.createPrivateDirectory(dir);
            KeyPair pair = EcKeys.generateP256();
            Instant now = clock.instant();
            caKey = pair.getPrivate();
            caCertificate = CertificateBuilder.selfSignedCa(CA_NAME, pair.getPublic(), caKey,
                    now.minus(CLOCK_SKEW), now.plus(CA_LIFETIME));
            PrivateFiles.writeSecret(keyFile, Pem.privateKey(caKey));
            PrivateFiles.writePublic(certFile, Pem.certificate(caCertificate));
            LOG.info("Created hub CA in {} (fingerprint {})", dir, caFingerprint());
        }
    }

    /**
     * A 32-byte secret for {@code purpose}, derived from the CA's private key (HMAC-SHA256 of the
     * purpose under the key's encoding): the same in every replica that shares the CA, and nothing
     * of the key itself leaves this class.
     */
    public byte[] derivedSecret(String purpose) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(caKey.getEncoded(), "HmacSHA256"));
            return mac.doFinal(purpose.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot derive a secret from the CA key", e);
        }
    }

    /** The CA certificate, which agents trust for the hub and the gateway trusts for agents. */
    public X509Certificate caCertificate() {
        return caCertificate;
    }

    @Override
    public String caFingerprint() {
        return CaFingerprint.of(caCertificate);
    }

    /**
     * The gateway's server key and chain, for these host names. Reuses the stored certificate unless
     * it is missing, was not signed by this CA, names other hosts, or expires within 30 days.
     */
    public GatewayKeyMaterial gatewayKeyMaterial(Collection<String> hostnames) {
        GeneralNames altNames = SubjectAltNames.forHosts(hostnames);
        Path keyFile = dir.resolve("gateway.key");
        Path certFile = dir.resolve("gateway.crt");
        if (Files.exists(keyFile) && Files.exists(certFile)) {
            PrivateKey key = Pem.parseEcPrivateKey(read(keyFile));
            X509Certificate certificate = Pem.parseCertificate(read(certFile));
            if (isCurrent(certificate, altNames)) {
                return new GatewayKeyMaterial(key, List.of(certificate, caCertificate), caCertificate);
            }
            LOG.info("Gateway certificate is outdated (host names, issuer or expiry); issuing a new one");
        }
        KeyPair pair = EcKeys.generateP256();
        Instant now = clock.instant();
        X509Certificate certificate = CertificateBuilder.leaf(caCertificate, caKey, GATEWAY_NAME, pair.getPublic(),
                altNames, KeyPurposeId.id_kp_serverAuth, now.minus(CLOCK_SKEW), now.plus(GATEWAY_LIFETIME));
        PrivateFiles.createPrivateDirectory(dir);
        PrivateFiles.writeSecret(keyFile, Pem.privateKey(pair.getPrivate()));
        PrivateFiles.writePublic(certFile, Pem.certificate(certificate));
        LOG.info("Issued gateway certificate for {} valid until {}", hostnames,
                certificate.getNotAfter().toInstant());
        return new GatewayKeyMaterial(pair.getPrivate(), List.of(certificate, caCertificate), caCertificate);
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
        return new IssuedCertificate(CertificateBuilder.leaf(caCertificate, caKey, identity.agentId(), agentKey,
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

    private boolean isCurrent(X509Certificate certificate, GeneralNames altNames) {
        try {
            certificate.verify(caCertificate.getPublicKey());
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
