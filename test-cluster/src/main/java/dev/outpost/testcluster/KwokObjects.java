package dev.outpost.testcluster;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Builds and applies the kwok objects that give one fake pod its logs and its resource usage. */
final class KwokObjects {

    private static final String FIELD_MANAGER = "outpost-test-cluster";

    private KwokObjects() {
    }

    /** A {@code Logs} named after the pod: every container's log is {@code file}, followed as it grows. */
    static GenericKubernetesResource logs(String namespace, String pod, Path file) {
        return object("Logs", namespace, pod, Map.of("logs", List.of(Map.of(
                "logsFile", file.toAbsolutePath().toString(),
                "follow", true))));
    }

    /** A {@code ResourceUsage} named after the pod: every container uses {@code cpu} and {@code memory}. */
    static GenericKubernetesResource resourceUsage(String namespace, String pod, String cpu, String memory) {
        return object("ResourceUsage", namespace, pod, Map.of("usages", List.of(Map.of(
                "usage", Map.of("cpu", Map.of("value", cpu), "memory", Map.of("value", memory))))));
    }

    /** Server-side applies {@code object}, so calling again with new values replaces the old ones. */
    static void apply(KubernetesClient client, GenericKubernetesResource object) {
        KwokCrds.Kind kind = KwokCrds.KINDS.stream()
                .filter(k -> k.kind().equals(object.getKind())).findFirst().orElseThrow();
        ResourceDefinitionContext context = new ResourceDefinitionContext.Builder()
                .withGroup(KwokCrds.GROUP).withVersion(KwokCrds.VERSION).withKind(kind.kind())
                .withPlural(kind.plural()).withNamespaced(kind.namespaced())
                .build();
        client.genericKubernetesResources(context).inNamespace(object.getMetadata().getNamespace()).resource(object)
                .fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
    }

    private static GenericKubernetesResource object(String kind, String namespace, String name, Map<String, Object> spec) {
        return new GenericKubernetesResourceBuilder()
                .withApiVersion(KwokCrds.GROUP + "/" + KwokCrds.VERSION).withKind(kind)
                .withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .addToAdditionalProperties("spec", spec)
                .build();
    }
}
