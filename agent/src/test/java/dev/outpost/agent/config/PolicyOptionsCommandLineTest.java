package dev.outpost.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.agent.policy.ApplyPolicy;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PolicyOptionsCommandLineTest {

    @Test
    void withoutOptionsThereIsNoPolicy() throws Exception {
        assertThat(parse(Map.of()).policy()).isEqualTo(ApplyPolicy.NONE);
    }

    @Test
    void readsTheFourListsFromFlagsOrTheEnvironment() throws Exception {
        ApplyPolicy policy = parse(Map.of("OUTPOST_DENIED_KINDS", "Secret, Role", "OUTPOST_ALLOWED_IMAGES", "ignored.io"),
                "--allowed-images", "registry.vendor.example, ghcr.io/vendor/", "--denied-images", "bitnami/",
                "--allowed-kinds", "Deployment,Service").policy();

        assertThat(policy.allowedImages()).containsExactly("registry.vendor.example", "ghcr.io/vendor/");
        assertThat(policy.deniedImages()).containsExactly("docker.io/bitnami/");
        assertThat(policy.allowedKinds()).isEqualTo(Set.of("Deployment", "Service"));
        assertThat(policy.deniedKinds()).isEqualTo(Set.of("Secret", "Role"));
        assertThat(parse(Map.of(), "--denied-kinds", "Secret").toString()).contains(" policy=denied-kinds=Secret");
    }

    @Test
    void badEntriesAreUsageErrorsNamingTheOption() {
        assertUsage("--allowed-images: 'registry vendor' is not a registry or image prefix", "--allowed-images",
                "registry vendor");
        assertUsage("--denied-kinds: 'secret' is not a Kubernetes kind", "--denied-kinds", "secret");
        assertUsage("--allowed-kinds takes at most 50 entries, got 51", "--allowed-kinds",
                String.join(",", java.util.stream.IntStream.range(0, 51).mapToObj(i -> "Kind" + i).toList()));
    }

    @Test
    void approvalModeIsOffUnlessTurnedOnByFlagOrEnvironment() throws Exception {
        assertThat(parse(Map.of()).approvalRequired()).isFalse();
        assertThat(parse(Map.of(), "--approval", "on").approvalRequired()).isTrue();
        assertThat(parse(Map.of("OUTPOST_APPROVAL", "on")).toString()).contains(" approval=on");
        assertThat(parse(Map.of("OUTPOST_APPROVAL", "on"), "--approval", "off").approvalRequired()).isFalse();
        assertUsage("--approval must be on or off, got 'maybe'", "--approval", "maybe");
    }

    private static AgentConfig parse(Map<String, String> env, String... args) throws UsageException {
        List<String> all = new java.util.ArrayList<>(List.of("--hub", "h:1"));
        all.addAll(List.of(args));
        return AgentCommandLine.parse(all.toArray(String[]::new), env).orElseThrow();
    }

    private static void assertUsage(String message, String... args) {
        assertThatThrownBy(() -> parse(Map.of(), args)).isInstanceOf(UsageException.class).hasMessageStartingWith(message);
    }
}
