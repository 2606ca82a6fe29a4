package dev.outpost.hub.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.hub.agents.ActiveAgent;
import dev.outpost.protocol.AgentIdentity;
import dev.outpost.hub.pki.HubCertificateAuthority;
import dev.outpost.hub.pki.TestCsr;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentCertificatesTest {
    private final AgentIdentity identity = new AgentIdentity("t1", "e1", "a1");

    @Test
    void admitsOnlyTheCurrentSerialOfTheSameTenantAndEnvironment() {
        BigInteger serial = new BigInteger("00ab12", 16);
        assertThat(ClientCertificateInterceptor.admits(new ActiveAgent("a1", "t1", "e1", "AB12"), identity, serial)).isTrue();
        assertThat(ClientCertificateInterceptor.admits(new ActiveAgent("a1", "t1", "e1", "ab13"), identity, serial)).isFalse();
        assertThat(ClientCertificateInterceptor.admits(new ActiveAgent("a1", "t2", "e1", "ab12"), identity, serial)).isFalse();
        assertThat(ClientCertificateInterceptor.admits(new ActiveAgent("a1", "t1", "e2", "ab12"), identity, serial)).isFalse();
        assertThat(ClientCertificateInterceptor.admits(new ActiveAgent("a1", "t1", "e1", "not-hex"), identity, serial)).isFalse();
    }

    @Test
    void noSessionMeansNoCertificate() {
        assertThat(AgentCertificates.peerCertificate(null)).isEmpty();
    }

    @Test
    void readsTheIdentityFromTheUriSanAndRefusesCertificatesWithout(@TempDir Path dir) throws Exception {
        HubCertificateAuthority ca = new HubCertificateAuthority(dir, Clock.systemUTC());
        X509Certificate agent = ca.signAgentCsr(TestCsr.csr(TestCsr.p256()), identity, Duration.ofDays(1)).certificate();
        X509Certificate gateway = ca.gatewayKeyMaterial(List.of("localhost")).chain().getFirst();

        assertThat(AgentCertificates.identityOf(agent)).isEqualTo(identity);
        assertThatThrownBy(() -> AgentCertificates.identityOf(gateway)).hasMessage("expected one URI SAN, found 0");
    }
}
