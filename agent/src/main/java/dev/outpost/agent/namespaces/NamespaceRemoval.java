package dev.outpost.agent.namespaces;

import java.util.List;

/**
 * The outcome of removing a deployment's namespace: {@code namespaceDeleted} is false when it was kept,
 * for the PersistentVolumeClaims named in {@code retainedClaims} or because Outpost did not create it.
 */
public record NamespaceRemoval(boolean namespaceDeleted, List<String> retainedClaims) {
}
