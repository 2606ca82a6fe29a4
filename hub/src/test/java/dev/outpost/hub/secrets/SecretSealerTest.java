package dev.outpost.hub.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class SecretSealerTest {
    private static String newKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    private final String oldKey = newKey();
    private final String newKey = newKey();

    @Test
    void sealedValuesOpenAgainAndShowNothingOfThePlainText() {
        SecretSealer sealer = new SecretSealer(SecretKeyring.parse(oldKey));
        String sealed = sealer.sealText("hunter2hunter2");

        assertThat(sealed).startsWith("sealed:").doesNotContain("hunter2");
        assertThat(sealer.openText(sealed)).isEqualTo("hunter2hunter2");
        assertThat(sealer.sealText("hunter2hunter2")).as("a fresh IV each time").isNotEqualTo(sealed);
        byte[] bytes = sealer.seal("command".getBytes(StandardCharsets.UTF_8));
        assertThat(new String(sealer.open(bytes), StandardCharsets.UTF_8)).isEqualTo("command");
        assertThat(sealer.sealedWithCurrentKey(bytes)).isTrue();
    }

    @Test
    void valuesFromBeforeSealingAreReturnedAsTheyAreAndCountAsStale() {
        SecretSealer sealer = new SecretSealer(SecretKeyring.parse(oldKey));
        assertThat(sealer.openText("plain-old-value")).isEqualTo("plain-old-value");
        byte[] protobuf = {0x0A, 0x03, 'c', 'm', 'd'};
        assertThat(sealer.open(protobuf)).isEqualTo(protobuf);
        assertThat(sealer.sealedWithCurrentKey(protobuf)).isFalse();
        assertThat(sealer.sealedWithCurrentKey("plain-old-value")).isFalse();
    }

    @Test
    void aRotatedKeyringOpensOldValuesAndSealsWithTheNewKey() {
        String sealedWithOld = new SecretSealer(SecretKeyring.parse(oldKey)).sealText("s3cret");
        SecretSealer rotated = new SecretSealer(SecretKeyring.parse(newKey + "," + oldKey));

        assertThat(rotated.openText(sealedWithOld)).isEqualTo("s3cret");
        assertThat(rotated.sealedWithCurrentKey(sealedWithOld)).isFalse();
        assertThat(rotated.sealedWithCurrentKey(rotated.sealText("s3cret"))).isTrue();
    }

    @Test
    void anAlteredValueOrAMissingKeyIsAnErrorNamingTheKeyNotTheValue() {
        SecretSealer sealer = new SecretSealer(SecretKeyring.parse(oldKey));
        byte[] sealed = sealer.seal("s3cret".getBytes(StandardCharsets.UTF_8));
        sealed[sealed.length - 1] ^= 1;
        assertThatThrownBy(() -> sealer.open(sealed)).hasMessageContaining("does not open: it was altered");

        String other = new SecretSealer(SecretKeyring.parse(newKey)).sealText("s3cret");
        assertThatThrownBy(() -> sealer.openText(other)).hasMessageContaining("which is not among the hub's keys")
                .hasMessageContaining("give every replica the same outpost.secrets.keys")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void keysMustBe256BitBase64() {
        assertThatThrownBy(() -> SecretKeyring.parse("c2hvcnQ=")).hasMessage("a secrets key must be 32 bytes (AES-256), "
                + "base64; one has 5");
        assertThatThrownBy(() -> SecretKeyring.parse("not base64!")).hasMessageStartingWith("a secrets key is not base64");
        assertThatThrownBy(() -> SecretKeyring.parse(" ")).hasMessage("no key to seal secrets with");
        assertThat(SecretKeyring.parse(oldKey).toString()).doesNotContain(oldKey).startsWith("keys [");
    }
}
