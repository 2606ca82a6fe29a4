package dev.outpost.agent.deploy;

import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * What the preflight step reads from the cluster. Each read is empty when the agent may not make it
 * (its RBAC is the customer's choice): the check is then reported as not made, never as failed.
 */
class PreflightReads {
    private static final String DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class";
    private final KubernetesClient client;

    PreflightReads(KubernetesClient client) {
        this.client = client;
    }

    /** The cluster's storage classes. */
    record StorageClasses(Set<String> names, Optional<String> defaultClass) {
    }

    Optional<StorageClasses> storageClasses() {
        return readable(() -> {
            List<StorageClass> items = client.storage().v1().storageClasses().list().getItems();
            Set<String> names = items.stream().map(item -> item.getMetadata().getName()).collect(Collectors.toSet());
            Optional<String> defaultClass = items.stream()
                    .filter(item -> "true".equals(annotations(item.getMetadata().getAnnotations()).get(DEFAULT_CLASS)))
                    .map(item -> item.getMetadata().getName()).sorted().findFirst();
            return new StorageClasses(names, defaultClass);
        });
    }

    /** Whether the namespace exists. */
    Optional<Boolean> namespaceExists(String namespace) {
        return readable(() -> client.namespaces().withName(namespace).get() != null);
    }

    Optional<List<ResourceQuota>> quotas(String namespace) {
        return readable(() -> client.resourceQuotas().inNamespace(namespace).list().getItems());
    }

    Optional<List<LimitRange>> limitRanges(String namespace) {
        return readable(() -> client.limitRanges().inNamespace(namespace).list().getItems());
    }

    private static Map<String, String> annotations(Map<String, String> annotations) {
        return annotations == null ? Map.of() : annotations;
    }

    /** Empty when the API server says the agent may not read it (403), or the kind is not served (404). */
    private static <T> Optional<T> readable(Supplier<T> read) {
        try {
            return Optional.of(read.get());
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_FORBIDDEN || e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }
}
