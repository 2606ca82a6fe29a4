package dev.outpost.hub.packages.manifest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Loads YAML into plain JSON values (maps with string keys in document order, lists, strings, numbers,
 * booleans, null): no tags, no timestamps (a date stays the string it was, as Helm and Kubernetes read
 * it), duplicate keys refused, aliases and size bounded.
 */
public final class PlainYaml {
    /** Largest YAML text loaded. */
    public static final int MAX_CODE_POINTS = 8 * 1024 * 1024;

    private PlainYaml() {
    }

    /** A fresh loader (snakeyaml instances are not thread-safe). */
    public static Yaml loader() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(50);
        options.setCodePointLimit(MAX_CODE_POINTS);
        options.setNestingDepthLimit(50);
        DumperOptions dumper = new DumperOptions();
        return new Yaml(new SafeConstructor(options), new Representer(dumper), dumper, options, new NoTimestamps());
    }

    /** The document's value with every map key a string, in order. */
    public static Object plain(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), plain(v)));
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            list.forEach(v -> out.add(plain(v)));
            return out;
        }
        if (value instanceof byte[] bytes) {
            return java.util.Base64.getEncoder().encodeToString(bytes);
        }
        if (value instanceof java.util.Set<?> set) {
            // !!set: its members as a list, so the value stays JSON.
            List<Object> out = new ArrayList<>();
            set.forEach(v -> out.add(plain(v)));
            return out;
        }
        return value;
    }

    /** YAML 1.1's implicit types without timestamps. */
    private static final class NoTimestamps extends Resolver {
        @Override
        protected void addImplicitResolvers() {
            addImplicitResolver(Tag.BOOL, BOOL, "yYnNtTfFoO", 10);
            addImplicitResolver(Tag.INT, INT, "-+0123456789");
            addImplicitResolver(Tag.FLOAT, FLOAT, "-+0123456789.");
            addImplicitResolver(Tag.MERGE, MERGE, "<", 10);
            addImplicitResolver(Tag.NULL, NULL, "~nN\0", 10);
            addImplicitResolver(Tag.NULL, EMPTY, null, 10);
        }
    }
}
