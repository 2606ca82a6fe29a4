package dev.outpost.hub.install;

import dev.outpost.hub.packages.render.ClusterTarget;
import dev.outpost.hub.packages.render.HelmChartRenderer;
import dev.outpost.hub.packages.render.RenderFailure;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The agent's Helm chart ({@code charts/outpost-agent}), which the hub build bundles, rendered with
 * an environment's install values: the same objects {@code helm install} or the installer would make.
 * Unpacked from the hub's classpath into a temporary folder on first use.
 */
@Singleton
public class BundledAgentChart {
    static final String RESOURCE = "dev/outpost/hub/install/outpost-agent";
    static final String RELEASE_NAME = "outpost-agent";

    private Path chart;

    /** The rendered objects, as multi-document YAML. */
    public String render(Map<String, Object> values, String namespace) throws RenderFailure {
        Path root = unpacked();
        try {
            Path scratch = Files.createTempDirectory("outpost-install-");
            try {
                return HelmChartRenderer.render(root.getParent(), root.getFileName().toString(), values, RELEASE_NAME,
                        namespace, ClusterTarget.unknown(), scratch);
            } finally {
                try (Stream<Path> files = Files.list(scratch)) {
                    for (Path file : files.toList()) {
                        Files.deleteIfExists(file);
                    }
                }
                Files.deleteIfExists(scratch);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render the bundled agent chart", e);
        }
    }

    private synchronized Path unpacked() {
        if (chart != null) {
            return chart;
        }
        URL chartYaml = BundledAgentChart.class.getClassLoader().getResource(RESOURCE + "/Chart.yaml");
        if (chartYaml == null) {
            throw new IllegalStateException("the hub was built without the agent chart (" + RESOURCE + ")");
        }
        try {
            Path target = Files.createTempDirectory("outpost-agent-chart-").resolve("outpost-agent");
            URI uri = chartYaml.toURI();
            if ("jar".equals(uri.getScheme())) {
                try (FileSystem jar = FileSystems.newFileSystem(uri, Map.of())) {
                    copyTree(jar.getPath("/" + RESOURCE), target);
                }
            } else {
                copyTree(Path.of(uri).getParent(), target);
            }
            chart = target;
            return chart;
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("cannot unpack the bundled agent chart: " + e.getMessage(), e);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : paths.toList()) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    try (InputStream in = Files.newInputStream(path)) {
                        Files.createDirectories(target.getParent());
                        Files.copy(in, target);
                    }
                }
            }
        }
    }
}
