package dev.outpost.charts;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The two charts, rendered and linted with helm-java exactly as {@code helm template} and
 * {@code helm lint} would (client-side, no cluster).
 */
public final class Charts {

    /** The chart folders; tests run in the module's folder, which holds them. */
    public static final Path AGENT = Path.of("outpost-agent").toAbsolutePath();
    public static final Path HUB = Path.of("outpost-hub").toAbsolutePath();

    /** The Kubernetes version of the test cluster (test-cluster builds 1.36). */
    public static final String KUBE_VERSION = "v1.36.3";

    private Charts() {
    }

    /** Renders {@code chart} as release {@code release} in {@code namespace} with {@code valuesYaml}. */
    public static Rendered render(Path chart, String release, String namespace, String valuesYaml, Path workDir) {
        return Rendered.parse(template(chart, release, namespace, valuesYaml, workDir));
    }

    /** Helm's output as text; throws what helm-java throws (Helm's message) when the chart refuses the values. */
    public static String template(Path chart, String release, String namespace, String valuesYaml, Path workDir) {
        return new Helm(chart).template()
                .withName(release)
                .withNamespace(namespace)
                .withKubeVersion(KUBE_VERSION)
                .withValuesFile(write(workDir, valuesYaml))
                .call();
    }

    /**
     * {@code helm lint --strict} with these values on top of the chart's. helm-java's lint reads the
     * chart's own values.yaml only, so the chart is copied and its values.yaml replaced by the merge.
     */
    public static LintResult lint(Path chart, String valuesYaml, Path workDir) {
        Path copy = workDir.resolve("lint-" + System.nanoTime()).resolve(chart.getFileName());
        copyTree(chart, copy);
        Map<String, Object> merged = merge(load(copy.resolve("values.yaml")), new Yaml().load(valuesYaml));
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        writeString(copy.resolve("values.yaml"), new Yaml(options).dump(merged));
        return new Helm(copy).lint().strict().call();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> overrides) {
        Map<String, Object> out = new LinkedHashMap<>(base);
        if (overrides == null) {
            return out;
        }
        overrides.forEach((key, value) -> {
            if (value instanceof Map<?, ?> map && out.get(key) instanceof Map<?, ?> existing) {
                out.put(key, merge((Map<String, Object>) existing, (Map<String, Object>) map));
            } else {
                out.put(key, value);
            }
        });
        return out;
    }

    private static Map<String, Object> load(Path file) {
        try {
            Map<String, Object> values = new Yaml().load(Files.readString(file, StandardCharsets.UTF_8));
            return values == null ? new LinkedHashMap<>() : values;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path write(Path workDir, String valuesYaml) {
        try {
            Path file = Files.createTempFile(workDir, "values-", ".yaml");
            writeString(file, valuesYaml);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeString(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copyTree(Path from, Path to) {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
