package dev.outpost.hub.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.hub.agents.ActiveAgent;
import dev.outpost.hub.config.HubConfig;
import dev.outpost.hub.enrollment.CertificateRenewals;
import dev.outpost.hub.enrollment.CertificateRenewals.RenewalRefusedException;
import dev.outpost.hub.enrollment.NewAgent;
import dev.outpost.hub.pki.HubCertificateAuthority;
import dev.outpost.hub.pki.IssuedCertificate;
import dev.outpost.hub.pki.SubjectAltNames;
import dev.outpost.hub.pki.TestCsr;
import dev.outpost.hub.testsupport.SteppingClock;
import dev.outpost.protocol.AgentIdentity;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The renewal rules over in-memory stores (named so: unit tests of logic only). */
class CertificateRenewalsTest {
    private static final AgentIdentity IDENTITY = new AgentIdentity("tenant-a", "env-a", "agent-1");
    private final SteppingClock clock = new SteppingClock(Instant.parse("2026-12-01T00:00:00Z"));
    private final InMemoryAgentPresence presence = new InMemoryAgentPresence();
    private final InMemoryEnrollmentStore store = new InMemoryEnrollmentStore(presence, clock);

    @TempDir
    Path dir;
    private HubCertificateAuthority ca;
    private CertificateRenewals renewals;
    private KeyPair keys;
    private IssuedCertificate enrolled;

    @BeforeEach
    void enrol() throws Exception {
        HubConfig config = new HubConfig();
        config.setAgentCertificateTtl(Duration.ofDays(30));
        ca = new HubCertificateAuthority(dir, clock);
        renewals = new CertificateRenewals(store, ca, config, clock);
        keys = TestCsr.p256();
        enrolled = ca.signAgentCsr(TestCsr.csr(keys), IDENTITY, Duration.ofDays(30));
        String token = store.addToken("tok1", "tenant-a", "env-a", clock.instant().plusSeconds(600), 1);
        store.register(store.check(token), new NewAgent(IDENTITY.agentId(), enrolled.serialHex(), enrolled.notAfter(),
                "0.1.0", "v1.36.0", 1, "", null));
    }

    @Test
    void beforeHalfOfTheLifetimeARenewalIsTooEarlyAndSaysWhenItOpens() {
        clock.advance(Duration.ofDays(14));

        assertThatThrownBy(() -> renewals.renew(caller(), enrolled.certificate(), TestCsr.csr(TestCsr.p256())))
                .isInstanceOfSatisfying(RenewalRefusedException.class, e -> {
                    assertThat(e.kind()).isEqualTo(RenewalRefusedException.Kind.TOO_EARLY);
                    assertThat(e.getMessage()).startsWith("renewal opens at 2026-12-15T23:57:30Z");
                });
        assertThat(caller().nextCertificateSerialHex()).isNull();
    }

    @Test
    void afterHalfOfTheLifetimeANewKeyGetsTheSameIdentityForTheConfiguredLifetime() throws Exception {
        clock.advance(Duration.ofDays(20));
        KeyPair newKeys = TestCsr.p256();

        IssuedCertificate renewed = renewals.renew(caller(), enrolled.certificate(), TestCsr.csr(newKeys));

        assertThat(renewed.certificate().getPublicKey()).isEqualTo(newKeys.getPublic());
        assertThat(SubjectAltNames.urisOf(renewed.certificate())).containsExactly(IDENTITY.toUri().toString());
        assertThat(renewed.notAfter()).isEqualTo(clock.instant().plus(Duration.ofDays(30)));
        assertThat(caller().certificateSerialHex()).isEqualTo(enrolled.serialHex());
        assertThat(caller().nextCertificateSerialHex()).isEqualTo(renewed.serialHex());
    }

    @Test
    void theCurrentKeyOrABadCsrIsRefusedAndNothingIsRecorded() {
        clock.advance(Duration.ofDays(20));

        assertThatThrownBy(() -> renewals.renew(caller(), enrolled.certificate(), TestCsr.csr(keys)))
                .isInstanceOfSatisfying(RenewalRefusedException.class, e -> {
                    assertThat(e.kind()).isEqualTo(RenewalRefusedException.Kind.BAD_REQUEST);
                    assertThat(e.getMessage()).contains("a renewal needs a new key");
                });
        assertThatThrownBy(() -> renewals.renew(caller(), enrolled.certificate(), new byte[] {1, 2, 3}))
                .isInstanceOfSatisfying(RenewalRefusedException.class,
                        e -> assertThat(e.getMessage()).isEqualTo("CSR is not a DER-encoded PKCS#10 request"));
        assertThat(caller().nextCertificateSerialHex()).isNull();
    }

    @Test
    void anAgentRevokedMeanwhileGetsNoCertificateRecorded() {
        clock.advance(Duration.ofDays(20));
        ActiveAgent before = caller();
        presence.revoke(IDENTITY.agentId());

        assertThatThrownBy(() -> renewals.renew(before, enrolled.certificate(), TestCsr.csr(TestCsr.p256())))
                .isInstanceOfSatisfying(RenewalRefusedException.class,
                        e -> assertThat(e.kind()).isEqualTo(RenewalRefusedException.Kind.NOT_ADMITTED));
        assertThat(presence.findActive(IDENTITY.agentId())).isEmpty();
    }

    private ActiveAgent caller() {
        return presence.findActive(IDENTITY.agentId()).orElseThrow();
    }
}
