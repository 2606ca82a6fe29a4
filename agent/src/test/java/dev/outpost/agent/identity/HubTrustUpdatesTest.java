package dev.outpost.agent.identity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.agent.connection.TestPki;
import dev.outpost.agent.tls.RotatingKeyManager;
import dev.outpost.protocol.AgentIdentity;
import dev.outpost.protocol.EcKeys;
import dev.outpost.protocol.Pem;
import dev.outpost.protocol.v1.TrustBundle;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hub's CA bundle during a rollover: taken (stored, trusted next) or ignored when it fails a check. */
class HubTrustUpdatesTest {
    private static final AgentIdentity IDENTITY = new AgentIdentity("tenant-a", "env-a", "agent-1");
    private final TestPki old = new TestPki();
    private final TestPki next = new TestPki();
    private final KeyPair keys = EcKeys.generateP256();
    @TempDir
    Path stateDir;
    private IdentityFiles files;
    private RotatingKeyManager manager;
    private HubTrustUpdates updates;

    @BeforeEach
    void enrolled() throws Exception {
        AgentCredentials credentials = new AgentCredentials(IDENTITY, keys.getPrivate(),
                old.signCsr(AgentKeys.csr(keys), IDENTITY.toUri().toString()), List.of(old.ca));
        files = new IdentityFiles(stateDir);
        files.save(credentials);
        manager = new RotatingKeyManager(credentials);
        updates = new HubTrustUpdates(manager, files);
    }

    @Test
    void aRolloverIsTakenStepByStepStoredAndSurvivesARestart() {
        updates.accept(bundle(old.ca, next.ca)); // prepared: both
        assertThat(manager.current().hubCa()).containsExactly(old.ca, next.ca);
        assertThat(files.load().hubCa()).containsExactly(old.ca, next.ca);

        updates.accept(bundle(next.ca)); // retired: the new one only
        assertThat(manager.current().hubCa()).containsExactly(next.ca);
        assertThat(files.load().hubCa()).containsExactly(next.ca);
        assertThat(manager.current().certificate()).as("the client certificate is not touched")
                .isEqualTo(files.load().certificate());
    }

    @Test
    void aBundleThatKeepsNoTrustedCaIsNotACaOrDoesNotParseIsIgnored() {
        TestPki stranger = new TestPki();
        updates.accept(bundle(stranger.ca));
        updates.accept(bundle(old.server)); // a leaf, not a CA
        updates.accept(TrustBundle.newBuilder().setCaBundlePem("garbage").build());
        updates.accept(TrustBundle.newBuilder().setCaBundlePem("").build());

        assertThat(manager.current().hubCa()).containsExactly(old.ca);
        assertThat(files.load().hubCa()).containsExactly(old.ca);
        assertThat(HubTrustUpdates.problem(List.of(stranger.ca), List.of(old.ca)))
                .hasValue("it keeps none of the CAs this agent trusts now");
        assertThat(HubTrustUpdates.problem(List.of(old.ca, old.server), List.of(old.ca))).get().asString()
                .endsWith("is not a CA certificate");
    }

    private static TrustBundle bundle(X509Certificate... cas) {
        return TrustBundle.newBuilder().setCaBundlePem(Pem.certificates(List.of(cas))).build();
    }
}
