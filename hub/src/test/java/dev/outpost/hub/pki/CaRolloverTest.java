package dev.outpost.hub.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.protocol.AgentIdentity;
import dev.outpost.protocol.CaFingerprint;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A CA rollover on real files: prepare, activate, retire, their refusals, and a running CA taking each step in. */
class CaRolloverTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-07T01:00:00Z"), ZoneOffset.UTC);
    private static final List<String> HOSTS = List.of("localhost");

    @TempDir
    Path dir;

    @Test
    void eachStepIsTakenInByARunningCaWhichSignsWithTheNewCaOnlyOnceActivated() throws Exception {
        HubCertificateAuthority ca = new HubCertificateAuthority(dir, CLOCK);
        X509Certificate first = ca.caCertificate();
        byte[] sealing = ca.derivedSecret("purpose");
        assertThat(ca.reload()).isFalse();

        X509Certificate next = CaFiles.prepare(dir, CLOCK).certificate();
        assertThat(ca.reload()).isTrue();
        assertThat(ca.rolloverPhase()).isEqualTo(CaFiles.Phase.PREPARED);
        assertThat(ca.trustedCas()).containsExactly(first, next);
        assertThat(ca.caCertificate()).isEqualTo(first);
        assertThat(agentCertificate(ca).getIssuerX500Principal()).isEqualTo(first.getSubjectX500Principal());
        assertThat(next.getSubjectX500Principal().getName()).isEqualTo("CN=Outpost hub CA 2026-12-07T01:00:00Z");

        byte[] storedGateway = Files.readAllBytes(storeGatewayCertificate(ca));
        CaFiles.activate(dir);
        assertThat(ca.reload()).isTrue();
        assertThat(ca.rolloverPhase()).isEqualTo(CaFiles.Phase.ACTIVATED);
        assertThat(ca.caCertificate()).isEqualTo(next);
        assertThat(ca.caFingerprint()).isEqualTo(CaFingerprint.of(next));
        assertThat(ca.trustedCas()).containsExactly(next, first);
        agentCertificate(ca).verify(next.getPublicKey());
        GatewayKeyMaterial gateway = ca.gatewayKeyMaterialAfterRollover(HOSTS);
        gateway.chain().getFirst().verify(next.getPublicKey());
        assertThat(gateway.chain().get(1)).isEqualTo(next);
        assertThat(gateway.clientCas()).containsExactly(next, first);
        assertThat(dir.resolve("gateway.crt")).as("kept in memory: replicas sharing the folder never mix their files")
                .hasBinaryContent(storedGateway);
        // secrets sealed before keep opening: the sealing key stays the one of the start, the other CA key opens too
        assertThat(ca.derivedSecret("purpose")).isEqualTo(sealing);
        assertThat(new HubCertificateAuthority(dir, CLOCK).olderDerivedSecrets("purpose")).contains(sealing);

        CaFiles.retire(dir);
        assertThat(ca.reload()).isTrue();
        assertThat(ca.rolloverPhase()).isEqualTo(CaFiles.Phase.STEADY);
        assertThat(ca.trustedCas()).containsExactly(next);
        assertThat(ca.gatewayKeyMaterial(HOSTS).clientCas()).containsExactly(next);
        HubCertificateAuthority restarted = new HubCertificateAuthority(dir, CLOCK);
        assertThat(restarted.caCertificate()).isEqualTo(next);
        assertThat(restarted.olderDerivedSecrets("purpose")).as("the retired key still opens").contains(sealing);
    }

    @Test
    void stepsOutOfOrderAreRefusedNamingWhatToDo() {
        new HubCertificateAuthority(dir, CLOCK);
        assertThatThrownBy(() -> CaFiles.activate(dir)).hasMessageContaining("no CA is prepared")
                .hasMessageContaining("outpost-hub ca prepare");
        assertThatThrownBy(() -> CaFiles.retire(dir)).hasMessageContaining("no previous CA to retire");
        CaFiles.prepare(dir, CLOCK);
        assertThatThrownBy(() -> CaFiles.prepare(dir, CLOCK)).hasMessage("a rollover is in progress (prepared): "
                + "activate it first");
        CaFiles.activate(dir);
        assertThatThrownBy(() -> CaFiles.prepare(dir, CLOCK)).hasMessage("a rollover is in progress (activated): "
                + "retire it first");
    }

    @Test
    void anActivationCutShortIsFinishedByRunningItAgainAndARunningCaKeepsItsSetMeanwhile() throws Exception {
        HubCertificateAuthority ca = new HubCertificateAuthority(dir, CLOCK);
        X509Certificate next = CaFiles.prepare(dir, CLOCK).certificate();
        ca.reload();
        // activate stopped after copying the CA aside and moving the next key in, before the next certificate
        Files.copy(dir.resolve("ca.crt"), dir.resolve("previous-ca.crt"));
        Files.copy(dir.resolve("ca.key"), dir.resolve("previous-ca.key"));
        Files.move(dir.resolve("next-ca.key"), dir.resolve("ca.key"), StandardCopyOption.REPLACE_EXISTING);

        assertThat(ca.reload()).as("half a step: the set in use stays").isFalse();
        assertThat(ca.trustedCas()).hasSize(2);
        assertThatThrownBy(() -> new HubCertificateAuthority(dir, CLOCK)).hasMessageContaining("ca.key is not the key of")
                .hasMessageContaining("run `outpost-hub ca activate` again");

        CaFiles.activate(dir);
        assertThat(ca.reload()).isTrue();
        assertThat(ca.caCertificate()).isEqualTo(next);
    }

    @Test
    void theCommandLineTakesTheStepsAndSaysWhere() {
        new HubCertificateAuthority(dir, CLOCK);
        Map<String, String> env = Map.of();
        assertThat(run(env, "status", "--pki-dir", dir.toString())).startsWith("0 phase: steady\nsigning: sha256:");
        assertThat(run(env, "prepare", "--pki-dir", dir.toString())).startsWith("0 prepared: CA sha256:");
        assertThat(run(env, "prepare", "--pki-dir", dir.toString())).isEqualTo("1 outpost-hub ca: a rollover is in "
                + "progress (prepared): activate it first");
        assertThat(run(Map.of("OUTPOST_DATA_DIR", dir.getParent().toString()), "status")).as("no pki under that dir")
                .startsWith("2 outpost-hub ca: no hub CA in ");
        assertThat(run(env, "activate", "--pki-dir", dir.toString())).startsWith("0 activated: CA sha256:");
        assertThat(run(env, "status", "--pki-dir", dir.toString())).contains("phase: activated")
                .contains("previous (trusted until retired): sha256:");
        assertThat(run(env, "retire", "--pki-dir", dir.toString())).startsWith("0 retired: CA sha256:");
        assertThat(run(env, "rotate", "--pki-dir", dir.toString())).startsWith("2 outpost-hub ca: unknown step 'rotate'");
        assertThat(run(env)).startsWith("2 outpost-hub ca: usage: outpost-hub ca status|prepare|activate|retire");
    }

    private Path storeGatewayCertificate(HubCertificateAuthority ca) {
        ca.gatewayKeyMaterial(HOSTS);
        return dir.resolve("gateway.crt");
    }

    private static X509Certificate agentCertificate(HubCertificateAuthority ca) throws Exception {
        return ca.signAgentCsr(TestCsr.csr(TestCsr.p256()), new AgentIdentity("t1", "e1", "agent-1"), Duration.ofDays(1))
                .certificate();
    }

    private static String run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = CaCommandLine.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(out, true, StandardCharsets.UTF_8), CLOCK);
        return code + " " + out.toString(StandardCharsets.UTF_8).strip();
    }
}
