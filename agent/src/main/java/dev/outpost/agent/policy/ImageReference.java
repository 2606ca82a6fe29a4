package dev.outpost.agent.policy;

import java.util.Locale;

/**
 * A container image reference as the container runtime resolves it: {@code redis:7} is
 * {@code docker.io/library/redis:7}, {@code bitnami/redis} is {@code docker.io/bitnami/redis}, and a
 * first component with a dot or a port, or {@code localhost}, is a registry. Policies compare the
 * resolved form, so a short name cannot slip past a rule written for {@code docker.io}.
 */
public final class ImageReference {
    private static final String DEFAULT_REGISTRY = "docker.io";

    private ImageReference() {
    }

    /** The fully qualified reference, registry first; the registry part in lower case, as registries are. */
    public static String resolved(String image) {
        String trimmed = image.trim();
        int slash = trimmed.indexOf('/');
        String first = slash < 0 ? "" : trimmed.substring(0, slash);
        if (first.equals("index.docker.io")) {
            return DEFAULT_REGISTRY + trimmed.substring(slash);
        }
        if (slash >= 0 && isRegistry(first)) {
            return first.toLowerCase(Locale.ROOT) + trimmed.substring(slash);
        }
        return DEFAULT_REGISTRY + "/" + (slash < 0 ? "library/" : "") + trimmed;
    }

    /**
     * A policy rule in resolved form: {@code registry.example.com} (a registry: it has a dot, a port or
     * is {@code localhost}) stays as it is, {@code bitnami/} is {@code docker.io/bitnami/}, {@code redis}
     * is {@code docker.io/library/redis}, anything with a slash resolves as an image does.
     */
    public static String resolvedRule(String rule) {
        String trimmed = rule.trim();
        boolean directory = trimmed.endsWith("/");
        String core = trimmed.replaceAll("/+$", "");
        String resolved;
        if (core.contains("/")) {
            resolved = resolved(core);
        } else if (isRegistry(core)) {
            resolved = core.equals("index.docker.io") ? DEFAULT_REGISTRY : core.toLowerCase(Locale.ROOT);
        } else {
            resolved = DEFAULT_REGISTRY + "/" + (directory ? "" : "library/") + core;
        }
        return directory ? resolved + "/" : resolved;
    }

    private static boolean isRegistry(String component) {
        return component.contains(".") || component.contains(":") || component.equals("localhost");
    }

    /**
     * Whether {@code resolvedImage} falls under {@code rule}, a resolved prefix ending at a boundary:
     * {@code registry.example.com} and {@code registry.example.com/} match {@code registry.example.com/x:1},
     * not {@code registry.example.com.evil.io/x}; {@code docker.io/library/redis} matches
     * {@code docker.io/library/redis:7} and {@code …redis@sha256:…}, not {@code docker.io/library/redis-evil}.
     */
    public static boolean matches(String rule, String resolvedImage) {
        if (!resolvedImage.startsWith(rule)) {
            return false;
        }
        if (rule.endsWith("/") || resolvedImage.length() == rule.length()) {
            return true;
        }
        char next = resolvedImage.charAt(rule.length());
        return next == '/' || next == ':' || next == '@';
    }
}
