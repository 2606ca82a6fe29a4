package dev.outpost.hub.packages.render;

import dev.outpost.hub.packages.manifest.ComponentSpec;
import dev.outpost.hub.packages.manifest.ComponentWork;
import dev.outpost.hub.packages.manifest.PackageManifest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Renders one chart or manifests component for one deployment: values templated, chart or templates
 * rendered, output parsed into objects, objects checked against the package's rules, then sorted.
 */
public final class ComponentRenderer {
    private static final String MANIFEST = "outpost.yaml";

    private ComponentRenderer() {
    }

    /** The component's objects, or every problem (never throws for a bad package). */
    public static ComponentOutcome render(Path root, PackageManifest manifest, ComponentSpec component,
                                          TemplateContext context, ClusterTarget target, Path scratch) {
        String file;
        String rendered;
        try {
            switch (component.work()) {
                case ComponentWork.Chart chart -> {
                    file = chart.path();
                    Map<String, Object> values = ValuesTemplating.resolve(component.name(), chart.values(), context);
                    rendered = HelmChartRenderer.render(root, chart.path(), values, context.deploymentName(),
                            context.namespace(), target, scratch);
                }
                case ComponentWork.Manifests manifests -> {
                    file = manifests.path();
                    rendered = ManifestsRenderer.render(root, manifests.path(), context);
                }
                case ComponentWork.Infrastructure ignored ->
                        throw new IllegalArgumentException("infrastructure components are not rendered");
            }
        } catch (TemplatingException e) {
            return failed(e.problems().stream().map(p -> new RenderFailure(MANIFEST, p)).toList());
        } catch (RenderFailure e) {
            return failed(List.of(e));
        }
        List<RenderedObject> objects;
        try {
            objects = new ArrayList<>(RenderedDocuments.parse(file, rendered));
        } catch (RenderFailure e) {
            return failed(List.of(e));
        }
        List<RenderFailure> problems = new ArrayList<>();
        for (String problem : ObjectRules.check(objects, Set.copyOf(manifest.clusterScopedKinds()), context.namespace())) {
            problems.add(new RenderFailure(file, problem));
        }
        if (!problems.isEmpty()) {
            return failed(problems);
        }
        objects.sort(ObjectOrder.APPLY);
        return new ComponentOutcome(objects, List.of());
    }

    private static ComponentOutcome failed(List<RenderFailure> problems) {
        return new ComponentOutcome(List.of(), problems);
    }
}
