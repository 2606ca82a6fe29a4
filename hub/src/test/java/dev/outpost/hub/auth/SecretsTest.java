package dev.outpost.hub.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.protocol.AgentIdentity;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SecretsTest {

    @Test
    void secretsCarry160RandomBitsAfterTheirPrefix() {
        String token = Secrets.secret("opa_");
        assertThat(token).matches("opa_[a-z2-7]{32}");
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            seen.add(Secrets.secret("opt_"));
        }
        assertThat(seen).hasSize(1000);
    }

    @Test
    void hashesAreSha256Hex() {
        assertThat(Secrets.hash("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(Secrets.sameHash(Secrets.hash("abc"), Secrets.hash("abc"))).isTrue();
        assertThat(Secrets.sameHash(Secrets.hash("abc"), Secrets.hash("abd"))).isFalse();
    }

    @Test
    void idsAreValidInAgentIdentities() {
        String tenant = Secrets.id("ten_");
        String environment = Secrets.id("env_");
        assertThat(AgentIdentity.parse(new AgentIdentity(tenant, environment, "a1").toUri().toString()).tenantId())
                .isEqualTo(tenant);
    }
}
