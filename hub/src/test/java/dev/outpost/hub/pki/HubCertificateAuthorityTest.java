package dev.outpost.hub.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.protocol.AgentIdentity;
import dev.outpost.protocol.CaFingerprint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HubCertificateAuthorityTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

    @TempDir
    Path dir;

    @Test
    void createsTheCaOnceWithAPrivateKeyAndLoadsItOnLaterStarts() throws Exception {
        HubCertificateAuthority first = new HubCertificateAuthority(dir, clock);
        HubCertificateAuthority second = new HubCertificateAuthority(dir, clock);

        assertThat(second.caFingerprint()).isEqualTo(first.caFingerprint()).isEqualTo(CaFingerprint.of(first.caCertificate()));
        assertThat(Files.getPosixFilePermissions(dir.resolve("ca.key"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(first.caCertificate().getSubjectX500Principal().getName()).isEqualTo("CN=Outpost hub CA");
        assertThat(first.caCertificate().getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(first.caCertificate().getNotAfter().toInstant()).isAfter(NOW.plus(Duration.ofDays(3649)));
    }

    @Test
    void aShortLivedAgentCertificateIsBackDatedByATenthOfItsLifetimeOnly() throws Exception {
        HubCertificateAuthority ca = new HubCertificateAuthority(dir, clock);

        X509Certificate cert = ca.signAgentCsr(TestCsr.csr(TestCsr.p256()), new AgentIdentity("t1", "e1", "agent-1"),
                Duration.ofSeconds(60)).certificate();

        assertThat(cert.getNotBefore().toInstant()).isEqualTo(NOW.minusSeconds(6));
        assertThat(cert.getNotAfter().toInstant()).isEqualTo(NOW.plusSeconds(60));
    }

    @Test
    void refusesToStartWithHalfACa() throws Exception {
        new HubCertificateAuthority(dir, clock);
        Files.delete(dir.resolve("ca.crt"));
        assertThatThrownBy(() -> new HubCertificateAuthority(dir, clock)).hasMessageContaining("Half a CA");
    }

    @Test
    void signsAnAgentCertificateWithItsIdentityForClientAuthOnly() throws Exception {
        HubCertificateAuthority ca = new HubCertificateAuthority(dir, clock);
        AgentIdentity identity = new AgentIdentity("t1", "e1", "agent-1");

        IssuedCertificate issued = ca.signAgentCsr(TestCsr.csr(TestCsr.p256()), identity, Duration.ofDays(30));
        X509Certificate cert = issued.certificate();

        assertThat(SubjectAltNames.urisOf(cert)).containsExactly(identity.toUri().toString());
        assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=agent-1");
        assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
        assertThat(cert.getKeyUsage()[0]).isTrue();
        assertThat(cert.getNotBefore().toInstant()).isEqualTo(NOW.minus(Duration.ofMinutes(5)));
        assertThat(cert.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(30)));
        assertThat(cert.getSerialNumber().bitLength()).isEqualTo(128);
        assertThat(issued.serialHex()).isEqualTo(cert.getSerialNumber().toString(16));
        assertChainsTo(cert, ca.caCertificate());
    }

    @Test
    void signingRefusesABadCsr() throws Exception {
        HubCertificateAuthority ca = new HubCertificateAuthority(dir, clock);
        assertThatThrownBy(() -> ca.signAgentCsr(new byte[] {0x30, 0x00}, new AgentIdentity("t", "e", "a"), Duration.ofDays(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void reusesTheGatewayCertificateUntilItsHostsChange() throws Exception {
        HubCertificateAuthority ca = new HubCertificateAuthority(dir, clock);
        X509Certificate first = ca.gatewayKeyMaterial(List.of("localhost", "127.0.0.1")).chain().getFirst();
        X509Certificate again = new HubCertificateAuthority(dir, clock)
                .gatewayKeyMaterial(List.of("localhost", "127.0.0.1")).chain().getFirst();
        GatewayKeyMaterial changed = ca.gatewayKeyMaterial(List.of("hub.example.com"));

        assertThat(again).isEqualTo(first);
        assertThat(changed.chain().getFirst()).isNotEqualTo(first);
        assertThat(changed.chain().getFirst().getSubjectAlternativeNames())
                .containsExactly(List.of(2, "hub.example.com"));
        assertThat(changed.chain().get(1)).isEqualTo(ca.caCertificate());
        assertThat(Files.getPosixFilePermissions(dir.resolve("gateway.key"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertChainsTo(changed.chain().getFirst(), ca.caCertificate());
    }

    @Test
    void renewsTheGatewayCertificateNearExpiry() throws Exception {
        X509Certificate first = new HubCertificateAuthority(dir, clock).gatewayKeyMaterial(List.of("localhost")).chain().getFirst();
        Clock elevenMonthsLater = Clock.offset(clock, Duration.ofDays(340));
        X509Certificate later = new HubCertificateAuthority(dir, elevenMonthsLater)
                .gatewayKeyMaterial(List.of("localhost")).chain().getFirst();
        assertThat(later.getSerialNumber()).isNotEqualTo(first.getSerialNumber());
    }

    private static void assertChainsTo(X509Certificate leaf, X509Certificate ca) throws Exception {
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
        params.setRevocationEnabled(false);
        params.setDate(Date.from(NOW));
        CertPathValidator.getInstance("PKIX").validate(
                CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf)), params);
    }
}
