package dev.outpost.agent.policy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the customer lets this agent apply, whatever the hub sends: allowed and denied object kinds
 * and container images (e.g. only the vendor's registry). Pure; checked on every rendered object
 * before any of them reaches the cluster. A denial wins over an allowance; an empty allow list
 * allows everything not denied.
 *
 * @param allowedImages resolved image prefixes (see {@link ImageReference}); empty allows any image
 * @param deniedImages resolved image prefixes refused even when allowed
 * @param allowedKinds kinds (e.g. {@code Deployment}); empty allows any kind the agent may manage
 * @param deniedKinds kinds refused even when allowed
 */
public record ApplyPolicy(List<String> allowedImages, List<String> deniedImages, Set<String> allowedKinds,
                          Set<String> deniedKinds) {
    /** No rules beyond the agent's own (namespaces, namespaced kinds only). */
    public static final ApplyPolicy NONE = new ApplyPolicy(List.of(), List.of(), Set.of(), Set.of());

    /** Where pod specs sit in the workload kinds, so their containers' images can be checked. */
    private static final Map<String, List<String>> POD_SPEC_PATHS = Map.of(
            "Pod", List.of("spec"),
            "Deployment", List.of("spec", "template", "spec"),
            "StatefulSet", List.of("spec", "template", "spec"),
            "DaemonSet", List.of("spec", "template", "spec"),
            "ReplicaSet", List.of("spec", "template", "spec"),
            "ReplicationController", List.of("spec", "template", "spec"),
            "Job", List.of("spec", "template", "spec"),
            "CronJob", List.of("spec", "jobTemplate", "spec", "template", "spec"),
            "PodTemplate", List.of("template", "spec"));
    private static final List<String> CONTAINER_LISTS = List.of("initContainers", "containers", "ephemeralContainers");

    public ApplyPolicy {
        allowedImages = resolvedRules(allowedImages);
        deniedImages = resolvedRules(deniedImages);
        allowedKinds = Set.copyOf(allowedKinds);
        deniedKinds = Set.copyOf(deniedKinds);
    }

    /** Whether any rule is set. */
    public boolean restricts() {
        return !allowedImages.isEmpty() || !deniedImages.isEmpty() || !allowedKinds.isEmpty() || !deniedKinds.isEmpty();
    }

    /** The rules as the options name them, e.g. "allowed-images=registry.vendor.example denied-kinds=Secret". */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        add(parts, "allowed-images", allowedImages);
        add(parts, "denied-images", deniedImages);
        add(parts, "allowed-kinds", new TreeSet<>(allowedKinds));
        add(parts, "denied-kinds", new TreeSet<>(deniedKinds));
        return parts.isEmpty() ? "none" : String.join(" ", parts);
    }

    private static void add(List<String> parts, String name, Collection<String> values) {
        if (!values.isEmpty()) {
            parts.add(name + "=" + String.join(",", values));
        }
    }

    /**
     * Why this object may not be applied, or empty when it may.
     *
     * @param kind the object's kind
     * @param body the object's top-level fields other than apiVersion, kind and metadata ({@code spec}, …)
     */
    public Optional<String> refusal(String kind, Map<String, Object> body) {
        if (deniedKinds.contains(kind)) {
            return Optional.of("kind " + kind + " is denied by this cluster's policy (--denied-kinds "
                    + String.join(",", new TreeSet<>(deniedKinds)) + ")");
        }
        if (!allowedKinds.isEmpty() && !allowedKinds.contains(kind)) {
            return Optional.of("kind " + kind + " is not allowed by this cluster's policy (--allowed-kinds "
                    + String.join(",", new TreeSet<>(allowedKinds)) + ")");
        }
        for (Container container : containers(kind, body)) {
            Optional<String> refused = imageRefusal(container);
            if (refused.isPresent()) {
                return refused;
            }
        }
        return Optional.empty();
    }

    private Optional<String> imageRefusal(Container container) {
        if (container.image() == null || container.image().isBlank()) {
            return allowedImages.isEmpty() ? Optional.empty()
                    : Optional.of(container.describe() + " names no image, and this cluster's policy allows only "
                            + "images under " + String.join(", ", allowedImages));
        }
        String resolved = ImageReference.resolved(container.image());
        Optional<String> denied = deniedImages.stream().filter(rule -> ImageReference.matches(rule, resolved)).findFirst();
        if (denied.isPresent()) {
            return Optional.of(container.describe() + " image " + container.image() + " (" + resolved
                    + ") is denied by this cluster's policy (--denied-images " + denied.get() + ")");
        }
        if (!allowedImages.isEmpty() && allowedImages.stream().noneMatch(rule -> ImageReference.matches(rule, resolved))) {
            return Optional.of(container.describe() + " image " + container.image() + " (" + resolved
                    + ") is not from a registry this cluster's policy allows (--allowed-images "
                    + String.join(",", allowedImages) + ")");
        }
        return Optional.empty();
    }

    private record Container(String list, String name, String image) {
        String describe() {
            return (list.equals("containers") ? "container" : list.equals("initContainers") ? "init container"
                    : "ephemeral container") + " '" + name + "'";
        }
    }

    private static List<Container> containers(String kind, Map<String, Object> body) {
        List<String> path = POD_SPEC_PATHS.get(kind);
        if (path == null) {
            return List.of();
        }
        Object current = body;
        for (String step : path) {
            current = current instanceof Map<?, ?> map ? map.get(step) : null;
        }
        if (!(current instanceof Map<?, ?> podSpec)) {
            return List.of();
        }
        List<Container> found = new ArrayList<>();
        for (String list : CONTAINER_LISTS) {
            if (podSpec.get(list) instanceof List<?> entries) {
                for (Object entry : entries) {
                    if (entry instanceof Map<?, ?> container) {
                        found.add(new Container(list, String.valueOf(container.get("name")),
                                container.get("image") instanceof String image ? image : null));
                    }
                }
            }
        }
        return found;
    }

    private static List<String> resolvedRules(List<String> rules) {
        return rules.stream().filter(rule -> !rule.isBlank()).map(ImageReference::resolvedRule).distinct().toList();
    }
}
