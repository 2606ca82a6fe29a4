package dev.outpost.agent.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SecretMaskTest {

    @Test
    void everyOccurrenceOfASecretValueIsMasked() {
        SecretMask mask = new SecretMask(List.of("hunter22"), List.of());

        assertThat(mask.mask("pw=hunter22, again hunter22!")).isEqualTo("pw=****, again ****!");
        assertThat(mask.mask("nothing secret")).isEqualTo("nothing secret");
    }

    @Test
    void valuesShorterThanFourCharactersAreNotMasked() {
        SecretMask mask = new SecretMask(List.of("on", "abc", "abcd"), List.of());

        assertThat(mask.mask("on abc abcd")).isEqualTo("on abc ****");
        assertThat(mask.secretCount()).isEqualTo(1);
    }

    @Test
    void aLongerValueContainingAShorterOneIsMaskedWhole() {
        SecretMask mask = new SecretMask(List.of("pass", "password-1234"), List.of());

        assertThat(mask.mask("password-1234 and pass")).isEqualTo("**** and ****");
    }

    @Test
    void patternsMaskTheirMatches() {
        SecretMask mask = new SecretMask(List.of(), List.of(Pattern.compile("Bearer [A-Za-z0-9._-]+"),
                Pattern.compile("(?i)api[-_]?key=\\w+")));

        assertThat(mask.mask("Authorization: Bearer eyJ.abc-1 ApiKey=XYZ9 ok")).isEqualTo("Authorization: **** **** ok");
    }

    @Test
    void secretValuesComeFromTheDataAndStringDataOfAppliedSecrets() {
        List<Map<String, Object>> applied = List.of(
                Map.of("kind", "Secret", "data", Map.of("password", b64("db-pass-42"), "keystore", b64bytes()),
                        "stringData", Map.of("token", "tok-7777")),
                Map.of("kind", "ConfigMap", "data", Map.of("greeting", "hello-world")));

        assertThat(SecretValues.of(applied)).containsExactlyInAnyOrder("db-pass-42", "tok-7777");
    }

    @Test
    void aDeploymentsMaskKeepsValuesItHasSeenWhenTheAppliedObjectsAreNoLongerKnown() {
        AtomicReference<List<Map<String, Object>>> applied = new AtomicReference<>(List.of(
                Map.of("kind", "Secret", "stringData", Map.of("password", "first-secret"))));
        DeploymentMasks masks = new DeploymentMasks(new SecretMask(List.of(), List.of(Pattern.compile("tok-\\d+"))),
                id -> applied.get());

        assertThat(masks.of("dep-1").mask("first-secret tok-1")).isEqualTo("first-secret ****"); // not read yet
        masks.refresh("dep-1");
        assertThat(masks.of("dep-1").mask("first-secret tok-1")).isEqualTo("**** ****");

        applied.set(List.of()); // e.g. a failed apply: the drift watch no longer holds the objects
        masks.refresh("dep-1");
        assertThat(masks.of("dep-1").mask("first-secret")).isEqualTo("****");
        assertThat(masks.of("dep-2").mask("first-secret")).isEqualTo("first-secret");
    }

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String b64bytes() {
        return Base64.getEncoder().encodeToString(new byte[] {(byte) 0xFE, (byte) 0xED, 0, (byte) 0xC3});
    }
}
