package dev.outpost.hub.packages.render;

import dev.outpost.hub.packages.manifest.PlainYaml;
import dev.outpost.protocol.release.ManifestTemplate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Splits rendered multi-document YAML into Kubernetes objects, refusing documents that are not one
 * (no apiVersion, kind or metadata.name, a List). Helm test hooks are dropped: they are for
 * {@code helm test}, not for a deployment.
 */
public final class RenderedDocuments {
    private RenderedDocuments() {
    }

    /** The objects of {@code rendered}; {@code file} names the component's chart or manifests in failures. */
    public static List<RenderedObject> parse(String file, String rendered) throws RenderFailure {
        List<RenderedObject> objects = new ArrayList<>();
        for (ManifestTemplate.Document document : ManifestTemplate.documents(rendered)) {
            String text = withoutStartLine(document.text());
            Object loaded;
            try {
                loaded = PlainYaml.plain(PlainYaml.loader().load(text));
            } catch (YAMLException e) {
                throw new RenderFailure(sourceOf(file, text), "renders YAML that does not parse (document "
                        + document.number() + "): " + e.getMessage().replaceAll("\\s+", " "));
            }
            if (loaded == null) {
                continue;
            }
            RenderedObject object = object(file, text, loaded);
            if (!isTestHook(loaded)) {
                objects.add(object);
            }
        }
        return objects;
    }

    private static RenderedObject object(String file, String text, Object loaded) throws RenderFailure {
        String source = sourceOf(file, text);
        if (!(loaded instanceof Map<?, ?> map)) {
            throw new RenderFailure(source, "renders a document that is not a Kubernetes object (not a mapping)");
        }
        Object apiVersion = map.get("apiVersion");
        Object kind = map.get("kind");
        Object metadata = map.get("metadata");
        Object name = metadata instanceof Map<?, ?> m ? m.get("name") : null;
        Object namespace = metadata instanceof Map<?, ?> m ? m.get("namespace") : null;
        if (!(apiVersion instanceof String a) || a.isBlank() || !(kind instanceof String k) || k.isBlank()) {
            throw new RenderFailure(source, "renders an object without apiVersion and kind");
        }
        if (!(name instanceof String n) || n.isBlank()) {
            throw new RenderFailure(source, "renders " + kind + " without metadata.name");
        }
        if (k.equals("List") || k.endsWith("List") && map.containsKey("items")) {
            throw new RenderFailure(source, "renders a " + k + "; render its items as separate documents");
        }
        if (namespace != null && !(namespace instanceof String)) {
            throw new RenderFailure(source, "renders " + k + "/" + n + " with a metadata.namespace that is not a string");
        }
        return new RenderedObject(a, k, (String) namespace, n, text.strip() + "\n");
    }

    private static boolean isTestHook(Object loaded) {
        if (loaded instanceof Map<?, ?> map && map.get("metadata") instanceof Map<?, ?> metadata
                && metadata.get("annotations") instanceof Map<?, ?> annotations
                && annotations.get("helm.sh/hook") instanceof String hook) {
            for (String h : hook.split(",")) {
                if (h.strip().startsWith("test")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The file Helm's "# Source: chart/templates/x.yaml" comment names, under the component's path. */
    static String sourceOf(String file, String text) {
        for (String line : text.split("\n", 5)) {
            if (line.startsWith("# Source: ")) {
                String source = line.substring("# Source: ".length()).strip();
                int slash = source.indexOf('/');
                if (source.equals(file) || file.endsWith(".tgz") || file.endsWith(".tar.gz") || slash < 0) {
                    return file;
                }
                // Helm writes "<chart name>/templates/x.yaml"; a manifests file is written as its package path.
                return source.startsWith(file + "/") ? source : file + source.substring(slash);
            }
        }
        return file;
    }

    private static String withoutStartLine(String text) {
        if (text.startsWith("---")) {
            int newline = text.indexOf('\n');
            return newline < 0 ? "" : text.substring(newline + 1);
        }
        return text;
    }
}
