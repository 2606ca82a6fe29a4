package dev.outpost.agent.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ApplyPolicyTest {
    private static final ApplyPolicy VENDOR_ONLY = new ApplyPolicy(List.of("registry.vendor.example"),
            List.of("registry.vendor.example/debug"), Set.of(), Set.of("Secret"));

    @Test
    void anImageFromAnotherRegistryIsRefusedNamingTheContainerAndTheRule() {
        Optional<String> refused = VENDOR_ONLY.refusal("Deployment", podTemplate(
                List.of(container("app", "registry.vendor.example/app:1"), container("sidecar", "redis:7"))));

        assertThat(refused).contains("container 'sidecar' image redis:7 (docker.io/library/redis:7) is not from a "
                + "registry this cluster's policy allows (--allowed-images registry.vendor.example)");
    }

    @Test
    void imagesInInitContainersAndEveryWorkloadKindAreChecked() {
        Map<String, Object> spec = Map.of("initContainers", List.of(container("init", "busybox")),
                "containers", List.of(container("app", "registry.vendor.example/app:1")));
        assertThat(VENDOR_ONLY.refusal("StatefulSet", Map.of("spec", Map.of("template", Map.of("spec", spec)))))
                .hasValueSatisfying(reason -> assertThat(reason).startsWith("init container 'init' image busybox"));
        assertThat(VENDOR_ONLY.refusal("Pod", Map.of("spec", spec))).isPresent();
        assertThat(VENDOR_ONLY.refusal("CronJob", Map.of("spec", Map.of("jobTemplate", Map.of("spec",
                Map.of("template", Map.of("spec", spec))))))).isPresent();
    }

    @Test
    void aDenialWinsOverAnAllowance() {
        assertThat(VENDOR_ONLY.refusal("Deployment", podTemplate(List.of(
                container("debug", "registry.vendor.example/debug/shell:1")))))
                .contains("container 'debug' image registry.vendor.example/debug/shell:1 "
                        + "(registry.vendor.example/debug/shell:1) is denied by this cluster's policy "
                        + "(--denied-images registry.vendor.example/debug)");
    }

    @Test
    void allowedImagesAndKindsPass() {
        assertThat(VENDOR_ONLY.refusal("Deployment", podTemplate(List.of(
                container("app", "registry.vendor.example/app@sha256:0123"))))).isEmpty();
        assertThat(VENDOR_ONLY.refusal("ConfigMap", Map.of("data", Map.of("image", "redis:7")))).isEmpty();
        assertThat(ApplyPolicy.NONE.refusal("Deployment", podTemplate(List.of(container("app", "redis:7"))))).isEmpty();
    }

    @Test
    void deniedAndUnlistedKindsAreRefused() {
        assertThat(VENDOR_ONLY.refusal("Secret", Map.of())).contains(
                "kind Secret is denied by this cluster's policy (--denied-kinds Secret)");
        ApplyPolicy onlyApps = new ApplyPolicy(List.of(), List.of(), Set.of("Deployment", "Service"), Set.of());
        assertThat(onlyApps.refusal("Role", Map.of())).contains(
                "kind Role is not allowed by this cluster's policy (--allowed-kinds Deployment,Service)");
        assertThat(onlyApps.refusal("Service", Map.of())).isEmpty();
    }

    @Test
    void aContainerWithoutAnImageIsRefusedWhenImagesAreRestricted() {
        assertThat(VENDOR_ONLY.refusal("Deployment", podTemplate(List.of(Map.of("name", "app")))))
                .hasValueSatisfying(reason -> assertThat(reason).contains("container 'app' names no image"));
    }

    @Test
    void itDescribesItselfAsTheOptionsDo() {
        assertThat(VENDOR_ONLY).hasToString("allowed-images=registry.vendor.example "
                + "denied-images=registry.vendor.example/debug denied-kinds=Secret");
        assertThat(ApplyPolicy.NONE.restricts()).isFalse();
    }

    private static Map<String, Object> podTemplate(List<Map<String, Object>> containers) {
        return Map.of("spec", Map.of("template", Map.of("spec", Map.of("containers", containers))));
    }

    private static Map<String, Object> container(String name, String image) {
        return Map.of("name", name, "image", image);
    }
}
