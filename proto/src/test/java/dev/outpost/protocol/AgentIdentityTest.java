package dev.outpost.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AgentIdentityTest {

    @Test
    void roundTripsThroughTheCertificateUri() {
        AgentIdentity identity = new AgentIdentity("t1", "env-2", "agent_3");
        assertThat(identity.toUri().toString())
                .isEqualTo("spiffe://outpost.dev/tenants/t1/environments/env-2/agents/agent_3");
        assertThat(AgentIdentity.parse(identity.toUri().toString())).isEqualTo(identity);
    }

    @Test
    void refusesUrisOfOtherShapesOrTrustDomains() {
        assertThatThrownBy(() -> AgentIdentity.parse("spiffe://evil.example/tenants/a/environments/b/agents/c"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AgentIdentity.parse("spiffe://outpost.dev/tenants/a/environments/b/agents/c/../d"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void normalisesAndChecksFingerprints() {
        String hex = "AB".repeat(32);
        assertThat(CaFingerprint.parse(" sha256:" + hex + " ")).isEqualTo("sha256:" + hex.toLowerCase());
        assertThatThrownBy(() -> CaFingerprint.parse("md5:abcd")).hasMessageContaining("sha256:<64 hex digits>");
    }
}
