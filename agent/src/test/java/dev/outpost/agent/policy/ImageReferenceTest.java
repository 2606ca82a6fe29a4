package dev.outpost.agent.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ImageReferenceTest {

    @Test
    void shortNamesResolveToDockerHubAsTheRuntimeDoes() {
        assertThat(ImageReference.resolved("redis:7")).isEqualTo("docker.io/library/redis:7");
        assertThat(ImageReference.resolved("bitnami/redis")).isEqualTo("docker.io/bitnami/redis");
        assertThat(ImageReference.resolved("index.docker.io/library/redis")).isEqualTo("docker.io/library/redis");
        assertThat(ImageReference.resolved("Registry.Vendor.Example/app:1")).isEqualTo("registry.vendor.example/app:1");
        assertThat(ImageReference.resolved("localhost/app")).isEqualTo("localhost/app");
        assertThat(ImageReference.resolved("myregistry:5000/app")).isEqualTo("myregistry:5000/app");
    }

    @Test
    void rulesNameRegistriesRepositoriesOrDockerHubNamespaces() {
        assertThat(ImageReference.resolvedRule("registry.vendor.example")).isEqualTo("registry.vendor.example");
        assertThat(ImageReference.resolvedRule("ghcr.io/vendor/")).isEqualTo("ghcr.io/vendor/");
        assertThat(ImageReference.resolvedRule("bitnami/")).isEqualTo("docker.io/bitnami/");
        assertThat(ImageReference.resolvedRule("redis")).isEqualTo("docker.io/library/redis");
        assertThat(ImageReference.resolvedRule("docker.io")).isEqualTo("docker.io");
    }

    @Test
    void aRuleMatchesOnlyAtAComponentBoundary() {
        assertThat(ImageReference.matches("registry.vendor.example", "registry.vendor.example/app:1")).isTrue();
        assertThat(ImageReference.matches("registry.vendor.example", "registry.vendor.example.evil.io/app:1")).isFalse();
        assertThat(ImageReference.matches("docker.io/library/redis", "docker.io/library/redis:7")).isTrue();
        assertThat(ImageReference.matches("docker.io/library/redis", "docker.io/library/redis@sha256:ab")).isTrue();
        assertThat(ImageReference.matches("docker.io/library/redis", "docker.io/library/redis-evil:7")).isFalse();
        assertThat(ImageReference.matches("ghcr.io/vendor/", "ghcr.io/vendor/app:1")).isTrue();
        assertThat(ImageReference.matches("ghcr.io/vendor/", "ghcr.io/vendorx/app:1")).isFalse();
    }
}
