package dev.outpost.testcluster;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;

/**
 * The kwok.x-k8s.io/v1alpha1 kinds tests create to give fake pods logs and resource usage, installed
 * as CRDs as kwok starts (kwok watches them with {@code --enable-crds} but does not create them).
 *
 * <p>The schemas are deliberately open ({@code x-kubernetes-preserve-unknown-fields}): kwok validates
 * what it reads, and the test cluster need not track kwok's generated schemas release by release.
 */
final class KwokCrds {

    static final String GROUP = "kwok.x-k8s.io";
    static final String VERSION = "v1alpha1";

    /** Kind, plural, namespaced: the kinds passed to kwok's {@code --enable-crds}. */
    record Kind(String kind, String plural, boolean namespaced) {
    }

    static final List<Kind> KINDS = List.of(
            new Kind("Logs", "logs", true),
            new Kind("ClusterLogs", "clusterlogs", false),
            new Kind("ResourceUsage", "resourceusages", true),
            new Kind("ClusterResourceUsage", "clusterresourceusages", false));

    private KwokCrds() {
    }

    /** The value of kwok's {@code --enable-crds}. */
    static String enableCrdsFlag() {
        return String.join(",", KINDS.stream().map(Kind::kind).toList());
    }

    /** Creates the CRDs; the apiserver serves them a moment later ({@link #awaitEstablished}). */
    static void create(KubernetesClient client) {
        for (Kind kind : KINDS) {
            client.apiextensions().v1().customResourceDefinitions().resource(crd(kind)).create();
        }
    }

    /** Waits until the apiserver serves each CRD (Established). */
    static void awaitEstablished(KubernetesClient client, Duration timeout) {
        for (Kind kind : KINDS) {
            String name = kind.plural() + "." + GROUP;
            Awaitility.await("CRD " + name + " Established").atMost(timeout)
                    .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50))
                    .until(() -> established(client.apiextensions().v1().customResourceDefinitions().withName(name).get()));
        }
    }

    private static boolean established(CustomResourceDefinition crd) {
        return crd != null && crd.getStatus() != null && crd.getStatus().getConditions() != null
                && crd.getStatus().getConditions().stream()
                        .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static CustomResourceDefinition crd(Kind kind) {
        return new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName(kind.plural() + "." + GROUP).endMetadata()
                .withNewSpec()
                    .withGroup(GROUP)
                    .withScope(kind.namespaced() ? "Namespaced" : "Cluster")
                    .withNewNames()
                        .withKind(kind.kind()).withListKind(kind.kind() + "List")
                        .withPlural(kind.plural()).withSingular(kind.kind().toLowerCase(java.util.Locale.ROOT))
                    .endNames()
                    .addNewVersion()
                        .withName(VERSION).withServed(true).withStorage(true)
                        // kwok writes conditions to the status subresource of what it has read.
                        .withNewSubresources().withNewStatus().endStatus().endSubresources()
                        .withNewSchema().withOpenAPIV3Schema(new JSONSchemaPropsBuilder()
                                .withType("object").withXKubernetesPreserveUnknownFields(true).build())
                        .endSchema()
                    .endVersion()
                .endSpec()
                .build();
    }
}
