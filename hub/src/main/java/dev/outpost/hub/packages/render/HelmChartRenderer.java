package dev.outpost.hub.packages.render;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * Renders and lints Helm charts with helm-java (client-only {@code helm template}: nothing touches a
 * cluster). Values go in as a file; the cluster's API versions are added as
 * {@code global.outpost.apiVersions}, because helm-java 0.0.21 cannot set {@code .Capabilities.APIVersions}.
 */
public final class HelmChartRenderer {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private HelmChartRenderer() {
    }

    /**
     * The chart's rendered objects as multi-document YAML.
     *
     * @param root      the package root
     * @param chartPath the chart directory or .tgz, relative to the root
     * @param scratch   a directory for the values file
     */
    public static String render(Path root, String chartPath, Map<String, Object> values, String releaseName,
                                String namespace, ClusterTarget target, Path scratch) throws RenderFailure {
        Path chart = chart(root, chartPath);
        Path valuesFile;
        try {
            valuesFile = Files.createTempFile(scratch, "values-", ".json");
            JSON.writeValue(valuesFile.toFile(), withApiVersions(values, target));
        } catch (IOException | RuntimeException e) {
            throw new RenderFailure(chartPath, "cannot write the chart's values: " + e.getMessage());
        }
        try {
            return new Helm(chart).template()
                    .withName(releaseName)
                    .withNamespace(namespace)
                    .withKubeVersion(target.kubeVersion())
                    .withValuesFile(valuesFile)
                    .call();
        } catch (RuntimeException e) {
            // The hub's temporary paths mean nothing to the vendor: name files as the package does.
            String message = HelmMessages.clean(e.getMessage())
                    .replace(valuesFile.toString(), "the component's values")
                    .replace(root.toString() + "/", "");
            throw new RenderFailure(HelmMessages.fileOf(chartPath, Files.isDirectory(chart), message),
                    "the chart does not render: " + message);
        } finally {
            JvmSignals.restore();
        }
    }

    /**
     * Every error {@code helm lint} finds in the chart, each naming its file. Lint renders with the chart's
     * own values only (helm-java 0.0.21 takes no others), so errors of executing a template (a
     * {@code required} value the package provides, say) are left to rendering with each plan's values,
     * which decides; syntax errors, Chart.yaml and other structural errors are reported.
     */
    public static List<RenderFailure> lint(Path root, String chartPath) {
        Path chart;
        try {
            chart = chart(root, chartPath);
        } catch (RenderFailure e) {
            return List.of(e);
        }
        List<RenderFailure> failures = new ArrayList<>();
        LintResult result;
        try {
            result = new Helm(chart).lint().call();
        } catch (RuntimeException e) {
            return List.of(new RenderFailure(chartPath, "helm lint failed: "
                    + HelmMessages.clean(e.getMessage()).replace(root.toString() + "/", "")));
        } finally {
            JvmSignals.restore();
        }
        if (!result.isFailed()) {
            return failures;
        }
        boolean directory = Files.isDirectory(chart);
        int errors = 0;
        for (String line : result.getMessages()) {
            HelmMessages.LintLine lint = HelmMessages.lint(chartPath, directory, line);
            if (lint != null && lint.severity().equals("ERROR")) {
                errors++;
                if (!HelmMessages.isExecutionError(lint.message())) {
                    failures.add(new RenderFailure(lint.file(), "helm lint: " + HelmMessages.clean(lint.message())));
                }
            }
        }
        if (errors == 0) {
            failures.add(new RenderFailure(chartPath, "helm lint failed: "
                    + HelmMessages.clean(String.join("; ", result.getMessages()))));
        }
        return failures;
    }

    private static Path chart(Path root, String chartPath) throws RenderFailure {
        Path chart = root.resolve(chartPath).normalize();
        if (!chart.startsWith(root) || !Files.exists(chart)) {
            throw new RenderFailure(chartPath, "the chart does not exist in the package");
        }
        if (Files.isDirectory(chart) && !Files.isRegularFile(chart.resolve("Chart.yaml"))) {
            throw new RenderFailure(chartPath, "is not a Helm chart: it has no Chart.yaml");
        }
        if (Files.isRegularFile(chart) && !(chartPath.endsWith(".tgz") || chartPath.endsWith(".tar.gz"))) {
            throw new RenderFailure(chartPath, "is not a Helm chart: a chart is a directory or a .tgz");
        }
        return chart;
    }

    /** The values with {@code global.outpost.apiVersions} set, leaving any other global values as they are. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> withApiVersions(Map<String, Object> values, ClusterTarget target) {
        Map<String, Object> out = new LinkedHashMap<>(values);
        Map<String, Object> global = out.get("global") instanceof Map<?, ?> g
                ? new LinkedHashMap<>((Map<String, Object>) g) : new LinkedHashMap<>();
        Map<String, Object> outpost = global.get("outpost") instanceof Map<?, ?> o
                ? new LinkedHashMap<>((Map<String, Object>) o) : new LinkedHashMap<>();
        outpost.put("apiVersions", target.apiVersions());
        outpost.put("kubeVersion", target.kubeVersion());
        global.put("outpost", outpost);
        out.put("global", global);
        return out;
    }
}
