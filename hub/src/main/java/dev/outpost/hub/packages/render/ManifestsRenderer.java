package dev.outpost.hub.packages.render;

import dev.outpost.protocol.release.ManifestTemplate;
import dev.outpost.protocol.release.TemplateException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Renders a manifests component: the release template format ({@code {{ name }}} placeholders, see
 * docs/releases.md), where the names are {@code parameters.x}, {@code plan.x}, {@code deployment.name}
 * and {@code deployment.namespace}, the same references component values use.
 */
public final class ManifestsRenderer {
    /** Largest manifests text of one component, in bytes. */
    public static final int MAX_MANIFESTS_BYTES = 8 * 1024 * 1024;

    private ManifestsRenderer() {
    }

    /** The rendered YAML of the file, or of the directory's .yaml/.yml files in name order. */
    public static String render(Path root, String path, TemplateContext context) throws RenderFailure {
        List<Path> files = files(root, path);
        StringBuilder out = new StringBuilder();
        Map<String, String> values = values(context);
        for (Path file : files) {
            String relative = root.relativize(file).toString().replace('\\', '/');
            String text;
            try {
                text = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new RenderFailure(relative, "cannot be read as UTF-8 text: " + e.getMessage());
            }
            try {
                out.append("---\n# Source: ").append(relative).append('\n')
                        .append(ManifestTemplate.render(text, values)).append('\n');
            } catch (TemplateException e) {
                throw new RenderFailure(relative, "does not render: " + e.getMessage());
            }
            if (out.length() > MAX_MANIFESTS_BYTES) {
                throw new RenderFailure(path, "renders to more than " + MAX_MANIFESTS_BYTES + " bytes");
            }
        }
        return out.toString();
    }

    private static List<Path> files(Path root, String path) throws RenderFailure {
        Path target = root.resolve(path).normalize();
        if (!target.startsWith(root) || !Files.exists(target)) {
            throw new RenderFailure(path, "does not exist in the package");
        }
        if (Files.isRegularFile(target)) {
            return List.of(target);
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(target)) {
            walk.filter(Files::isRegularFile)
                    .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                    .sorted()
                    .forEach(files::add);
        } catch (IOException e) {
            throw new RenderFailure(path, "cannot be read: " + e.getMessage());
        }
        if (files.isEmpty()) {
            throw new RenderFailure(path, "has no .yaml or .yml files");
        }
        return files;
    }

    /** The placeholder values: every scalar parameter and plan value, and the deployment's name and namespace. */
    static Map<String, String> values(TemplateContext context) {
        Map<String, String> values = new LinkedHashMap<>();
        context.plan().forEach((k, v) -> scalar(values, "plan." + k, v));
        context.parameters().forEach((k, v) -> scalar(values, "parameters." + k, v));
        values.put("deployment.name", context.deploymentName());
        values.put("deployment.namespace", context.namespace());
        return values;
    }

    private static void scalar(Map<String, String> values, String key, Object value) {
        if (value instanceof String || value instanceof Number || value instanceof Boolean) {
            values.put(key, String.valueOf(value));
        }
    }
}
