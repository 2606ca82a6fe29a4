package dev.outpost.hub.examples;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Renders an example chart with helm-java, the way the hub does (client-side {@code template}), for
 * tests that check a chart on its own, apart from the package's values templating.
 */
public final class HelmRender {

    /** The release name the chart tests render with (Outpost's deployment name). */
    public static final String RELEASE = "shop";
    /** The namespace the chart tests render into. */
    public static final String NAMESPACE = "acme-redis";
    /** The test cluster's Kubernetes version (e2e/cluster builds v1.36.3). */
    public static final String KUBE_VERSION = "v1.36.3";

    private HelmRender() {
    }

    /** Renders {@code chart} with {@code valuesYaml} (written to a values file in {@code workDir}). */
    public static Rendered render(Path chart, String valuesYaml, Path workDir) {
        return render(chart, valuesYaml, KUBE_VERSION, workDir);
    }

    /** As {@link #render(Path, String, Path)}, against another Kubernetes version. */
    public static Rendered render(Path chart, String valuesYaml, String kubeVersion, Path workDir) {
        return Rendered.parse(template(chart, valuesYaml, kubeVersion, workDir));
    }

    /** As {@link #render(Path, String, Path)}, with values as a map. */
    public static Rendered render(Path chart, Map<String, Object> values, Path workDir) {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        return render(chart, new Yaml(options).dump(values), workDir);
    }

    /** Helm's output as text; throws what helm-java throws when the chart does not render. */
    public static String template(Path chart, String valuesYaml, String kubeVersion, Path workDir) {
        try {
            Path valuesFile = Files.createTempFile(workDir, "values-", ".yaml");
            Files.writeString(valuesFile, valuesYaml, StandardCharsets.UTF_8);
            return new Helm(chart).template()
                    .withName(RELEASE)
                    .withNamespace(NAMESPACE)
                    .withKubeVersion(kubeVersion)
                    .withValuesFile(valuesFile)
                    .call();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code helm lint --strict} of the chart with its own values.yaml. */
    public static LintResult lint(Path chart) {
        return new Helm(chart).lint().strict().call();
    }
}
