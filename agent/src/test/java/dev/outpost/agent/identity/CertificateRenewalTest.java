package dev.outpost.agent.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.agent.connection.TestPki;
import dev.outpost.agent.identity.CertificateRenewal.RenewalFailedException;
import dev.outpost.protocol.AgentIdentity;
import dev.outpost.protocol.EcKeys;
import dev.outpost.protocol.Pem;
import dev.outpost.protocol.v1.RenewCertificateResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateRenewalTest {
    private static final AgentIdentity IDENTITY = new AgentIdentity("tenant-a", "env-a", "agent-1");
    private final TestPki pki = new TestPki();
    private final KeyPair enrolledKeys = EcKeys.generateP256();
    private final AgentCredentials current = new AgentCredentials(IDENTITY, enrolledKeys.getPrivate(),
            pki.signCsr(AgentKeys.csr(enrolledKeys), IDENTITY.toUri().toString()), List.of(pki.ca));

    @TempDir
    Path stateDir;

    @Test
    void renewalIsDueTwoThirdsThroughTheCertificatesLifetime() {
        X509Certificate certificate = current.certificate();
        Instant notBefore = certificate.getNotBefore().toInstant();
        Duration lifetime = Duration.between(notBefore, certificate.getNotAfter().toInstant());

        assertThat(CertificateRenewal.renewAt(certificate)).isEqualTo(notBefore.plus(lifetime.multipliedBy(2).dividedBy(3)));
    }

    @Test
    void aGoodAnswerBecomesCredentialsForTheNewKeyWithTheSameIdentity() throws Exception {
        KeyPair newKeys = EcKeys.generateP256();

        AgentCredentials renewed = CertificateRenewal.verified(answer(pki.signCsr(AgentKeys.csr(newKeys),
                IDENTITY.toUri().toString()), pki.ca), newKeys, current);

        assertThat(renewed.identity()).isEqualTo(IDENTITY);
        assertThat(renewed.key()).isEqualTo(newKeys.getPrivate());
        assertThat(renewed.hubCa()).containsExactly(pki.ca);
    }

    @Test
    void anAnswerForAnotherKeyAnotherIdentityOrAnotherCaIsRefused() {
        KeyPair newKeys = EcKeys.generateP256();
        TestPki stranger = new TestPki();

        assertRefused(answer(pki.signCsr(AgentKeys.csr(EcKeys.generateP256()), IDENTITY.toUri().toString()), pki.ca),
                newKeys, "the hub returned a certificate for another key");
        assertRefused(answer(pki.signCsr(AgentKeys.csr(newKeys), new AgentIdentity("tenant-b", "env-a", "agent-1")
                .toUri().toString()), pki.ca), newKeys, "the renewed certificate does not name " + IDENTITY);
        assertRefused(answer(stranger.signCsr(AgentKeys.csr(newKeys), IDENTITY.toUri().toString()), stranger.ca),
                newKeys, "the hub's CA bundle holds none of the CAs this agent trusts");
        assertRefused(answer(stranger.signCsr(AgentKeys.csr(newKeys), IDENTITY.toUri().toString()), pki.ca),
                newKeys, "the renewed certificate is not signed by a CA in the hub's bundle");
        assertRefused(RenewCertificateResponse.newBuilder().setCertificatePem("garbage").build(), newKeys,
                "the hub's renewal answer is malformed: no PEM certificate found");
    }

    @Test
    void aStoredRenewalIsWhatTheAgentLoadsAfterARestart() throws Exception {
        IdentityFiles files = new IdentityFiles(stateDir);
        files.save(current);
        KeyPair newKeys = EcKeys.generateP256();
        AgentCredentials renewed = CertificateRenewal.verified(answer(pki.signCsr(AgentKeys.csr(newKeys),
                IDENTITY.toUri().toString()), pki.ca), newKeys, current);

        files.saveRenewal(renewed);

        AgentCredentials loaded = files.load();
        assertThat(loaded.certificate()).isEqualTo(renewed.certificate());
        assertThat(loaded.key()).isEqualTo(newKeys.getPrivate());
        assertThat(stateDir.resolve("renewal.pem")).doesNotExist();
    }

    @Test
    void aRenewalStoppedHalfWayIsFinishedAtTheNextLoad() throws Exception {
        IdentityFiles files = new IdentityFiles(stateDir);
        files.save(current);
        KeyPair newKeys = EcKeys.generateP256();
        X509Certificate certificate = pki.signCsr(AgentKeys.csr(newKeys), IDENTITY.toUri().toString());
        // As left by a stop right after the renewal file was written: key.pem and cert.pem still the old ones.
        Files.writeString(stateDir.resolve("renewal.pem"), Pem.privateKey(newKeys.getPrivate())
                + Pem.certificate(certificate) + Pem.certificate(pki.ca));

        AgentCredentials loaded = files.load();

        assertThat(loaded.certificate()).isEqualTo(certificate);
        assertThat(loaded.key()).isEqualTo(newKeys.getPrivate());
        assertThat(Pem.parseCertificate(Files.readString(stateDir.resolve("cert.pem")))).isEqualTo(certificate);
        assertThat(stateDir.resolve("renewal.pem")).doesNotExist();
    }

    private void assertRefused(RenewCertificateResponse answer, KeyPair newKeys, String message) {
        assertThatThrownBy(() -> CertificateRenewal.verified(answer, newKeys, current))
                .isInstanceOf(RenewalFailedException.class).hasMessage(message);
    }

    private static RenewCertificateResponse answer(X509Certificate certificate, X509Certificate ca) {
        return RenewCertificateResponse.newBuilder().setCertificatePem(Pem.certificate(certificate))
                .setCaBundlePem(Pem.certificate(ca)).setCertificateNotAfterUnixMs(certificate.getNotAfter().getTime())
                .build();
    }
}
