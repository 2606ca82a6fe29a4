package dev.outpost.hub.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.hub.pki.CaFiles;
import dev.outpost.hub.pki.HubCertificateAuthority;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The keys the hub seals with: derived from its CA (shared by replicas), and configured ones for rotation. */
class SecretsFactoryTest {
    @TempDir
    Path dir;

    private SecretSealer sealer(Path pki, String keys) {
        return new SecretsFactory().sealer(FixedSecretsConfig.keys(keys), new HubCertificateAuthority(pki, Clock.systemUTC()),
                null, Clock.systemUTC());
    }

    @Test
    void replicasSharingTheCaShareTheKeyAndAnotherCaCannotOpen() throws Exception {
        Path pki = dir.resolve("pki");
        String sealed = sealer(pki, null).sealText("s3cret");

        Path replica = Files.createDirectories(dir.resolve("replica"));
        Files.copy(pki.resolve("ca.crt"), replica.resolve("ca.crt"));
        Files.copy(pki.resolve("ca.key"), replica.resolve("ca.key"));
        assertThat(sealer(replica, null).openText(sealed)).isEqualTo("s3cret");
        assertThatThrownBy(() -> sealer(dir.resolve("other-hub"), null).openText(sealed))
                .hasMessageContaining("is not among the hub's keys");
    }

    @Test
    void whatTheOldCaKeySealedStillOpensAfterACaRolloverAndARestartWhichSealWithTheNewOne() {
        Path pki = dir.resolve("pki");
        String sealed = sealer(pki, null).sealText("s3cret");

        CaFiles.prepare(pki, Clock.systemUTC());
        CaFiles.activate(pki);
        SecretSealer afterActivate = sealer(pki, null); // a restart while the old CA is still trusted
        assertThat(afterActivate.openText(sealed)).isEqualTo("s3cret");
        assertThat(afterActivate.sealedWithCurrentKey(sealed)).as("resealed at this start").isFalse();
        String resealed = afterActivate.sealText("s3cret");

        CaFiles.retire(pki);
        SecretSealer afterRetire = sealer(pki, null);
        assertThat(afterRetire.openText(sealed)).as("the retired key is kept for opening").isEqualTo("s3cret");
        assertThat(afterRetire.openText(resealed)).isEqualTo("s3cret");
        assertThat(afterRetire.sealedWithCurrentKey(resealed)).isTrue();
    }

    @Test
    void aConfiguredKeySealsFromThenOnAndTheCaKeyStillOpensWhatItSealed() {
        Path pki = dir.resolve("pki");
        String before = sealer(pki, null).sealText("s3cret");
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);

        SecretSealer rotated = sealer(pki, Base64.getEncoder().encodeToString(key));

        assertThat(rotated.openText(before)).isEqualTo("s3cret");
        assertThat(rotated.sealedWithCurrentKey(before)).isFalse();
        String after = rotated.sealText("s3cret");
        assertThat(rotated.sealedWithCurrentKey(after)).isTrue();
        assertThatThrownBy(() -> sealer(dir.resolve("other-hub"), null).openText(after))
                .hasMessageContaining("is not among the hub's keys");
    }

    @Test
    void anOpenBaoAddressWithoutATokenIsRefusedNamingBothSettings() {
        assertThatThrownBy(() -> SecretsFactory.openBaoToken(new FixedSecretsConfig(null, "http://127.0.0.1:8200", null, null)))
                .hasMessage("outpost.secrets.openbao-address is set but neither outpost.secrets.openbao-token "
                        + "(OUTPOST_SECRETS_OPENBAO_TOKEN) nor outpost.secrets.openbao-token-file is");
    }

    @Test
    void aKvMountWithoutAnOpenBaoAddressIsRefusedAndWithoutOneValuesAreSealedInTheDatabase() {
        SecretSealer sealer = sealer(dir.resolve("pki"), null);
        assertThatThrownBy(() -> new SecretsFactory().values(new FixedSecretsConfig(null, null, null, null, "secret"),
                sealer)).hasMessage("outpost.secrets.openbao-kv-mount is set but outpost.secrets.openbao-address "
                        + "(OUTPOST_SECRETS_OPENBAO_ADDRESS) is not");
        SecretValues values = new SecretsFactory().values(FixedSecretsConfig.keys(null), sealer);
        String stored = values.store("dep_1", "password", "s3cret");
        assertThat(stored).startsWith("sealed:").doesNotContain("s3cret");
        assertThat(values.value("dep_1", "password", stored)).isEqualTo("s3cret");
        assertThat(values.current(stored)).isTrue();
        assertThatThrownBy(() -> values.value("dep_1", "password", "openbao-kv:outpost-hub/deployments/dep_1/password@1"))
                .hasMessageContaining("is kept in OpenBao's KV, but outpost.secrets.openbao-kv-mount is not set");
    }

    @Test
    void theTokenFileIsReadTrimmed() throws Exception {
        Path file = Files.writeString(dir.resolve("token"), "s.abc\n");

        assertThat(SecretsFactory.openBaoToken(new FixedSecretsConfig(null, "http://127.0.0.1:8200", null, file)))
                .isEqualTo("s.abc");
    }
}
