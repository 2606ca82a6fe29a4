package dev.outpost.hub.packages.inspect;

import dev.outpost.hub.packages.InspectedPackage;
import dev.outpost.hub.packages.PackageInspection;
import dev.outpost.hub.packages.PackageProblem;
import dev.outpost.hub.packages.PackageRejectedException;
import dev.outpost.hub.packages.archive.TempWorkspace;
import dev.outpost.hub.packages.load.LoadedPackage;
import dev.outpost.hub.packages.load.PackageLoader;
import dev.outpost.hub.packages.manifest.ComponentSpec;
import dev.outpost.hub.packages.manifest.ComponentWork;
import dev.outpost.hub.packages.manifest.PackageManifest;
import dev.outpost.hub.packages.manifest.PlanSpec;
import dev.outpost.hub.packages.parameters.ParameterSchema;
import dev.outpost.hub.packages.plan.DependencyException;
import dev.outpost.hub.packages.plan.DependencyOrder;
import dev.outpost.hub.packages.plan.InfrastructureProperties;
import dev.outpost.hub.packages.render.ClusterTarget;
import dev.outpost.hub.packages.render.ComponentOutcome;
import dev.outpost.hub.packages.render.ComponentRenderer;
import dev.outpost.hub.packages.render.HelmChartRenderer;
import dev.outpost.hub.packages.render.RenderFailure;
import dev.outpost.hub.packages.render.TemplateContext;
import dev.outpost.hub.packages.render.TemplatingException;
import jakarta.inject.Singleton;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Inspects an uploaded package as a pipeline: archive → manifest → parameter schema → referenced files
 * → dependencies → charts lint → every component renders with every plan (schema defaults, secrets
 * as stand-ins) → rendered objects keep the package's rules. Every problem is collected, not just the first.
 */
@Singleton
public final class HelmPackageInspection implements PackageInspection {
    private static final Logger LOG = LoggerFactory.getLogger(HelmPackageInspection.class);
    private static final String MANIFEST = "outpost.yaml";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Override
    public InspectedPackage inspect(byte[] archive) throws PackageRejectedException {
        long started = System.nanoTime();
        try (TempWorkspace workspace = TempWorkspace.create("inspect")) {
            List<PackageProblem> problems = new ArrayList<>();
            LoadedPackage loaded = PackageLoader.load(archive, workspace.directory().resolve("package"), problems);
            PackageManifest manifest = loaded.manifest();
            Set<String> missing = checkFilesExist(loaded.root(), manifest, problems);
            checkDependencies(manifest, problems);
            Set<String> brokenCharts = lintCharts(loaded.root(), manifest, missing, problems);
            if (loaded.schema() != null) {
                renderEveryPlan(loaded, missing, brokenCharts, workspace.directory(), problems);
            }
            if (!problems.isEmpty()) {
                LOG.info("package {} {} refused: {} problem(s), first: {}", manifest.service(), manifest.version(),
                        problems.size(), problems.getFirst());
                throw new PackageRejectedException(dedupe(problems));
            }
            LOG.info("package {} {} inspected in {} ms", manifest.service(), manifest.version(),
                    (System.nanoTime() - started) / 1_000_000);
            return new InspectedPackage(manifest.service(), manifest.version(), archive.clone(),
                    JSON.writeValueAsString(manifest.document()), List.copyOf(manifest.plans().keySet()),
                    manifest.defaultPlan(), Set.copyOf(new LinkedHashSet<>(loaded.schema().secrets())));
        }
    }

    /** Every chart and manifests path exists; returns the components whose files are missing. */
    private static Set<String> checkFilesExist(Path root, PackageManifest manifest, List<PackageProblem> problems) {
        Set<String> missing = new HashSet<>();
        for (ComponentSpec c : manifest.components()) {
            String path = switch (c.work()) {
                case ComponentWork.Chart chart -> chart.path();
                case ComponentWork.Manifests manifests -> manifests.path();
                case ComponentWork.Infrastructure ignored -> null;
            };
            if (path == null) {
                continue;
            }
            Path file = root.resolve(path).normalize();
            if (!file.startsWith(root) || !Files.exists(file)) {
                missing.add(c.name());
                problems.add(new PackageProblem(path, "does not exist in the package (component " + c.name() + ")"));
            }
        }
        return missing;
    }

    private static void checkDependencies(PackageManifest manifest, List<PackageProblem> problems) {
        try {
            DependencyOrder.order(manifest.components());
        } catch (DependencyException e) {
            e.problems().forEach(p -> problems.add(new PackageProblem(MANIFEST, p)));
        }
    }

    /** Lints every chart once; returns the components whose chart has lint errors. */
    private static Set<String> lintCharts(Path root, PackageManifest manifest, Set<String> missing,
                                          List<PackageProblem> problems) {
        Set<String> broken = new HashSet<>();
        for (ComponentSpec c : manifest.components()) {
            if (c.work() instanceof ComponentWork.Chart chart && !missing.contains(c.name())) {
                List<RenderFailure> failures = HelmChartRenderer.lint(root, chart.path());
                if (!failures.isEmpty()) {
                    broken.add(c.name());
                    failures.forEach(f -> problems.add(new PackageProblem(f.file(), f.getMessage())));
                }
            }
        }
        return broken;
    }

    /** Renders every component with every plan's values and the schema's defaults, secrets as stand-ins. */
    private static void renderEveryPlan(LoadedPackage loaded, Set<String> missing, Set<String> brokenCharts,
                                        Path scratch, List<PackageProblem> problems) {
        PackageManifest manifest = loaded.manifest();
        ParameterSchema schema = loaded.schema();
        Map<String, Object> parameters = schema.withSecretStandIns(schema.withDefaults(Map.of()));
        ClusterTarget target = ClusterTarget.unknown();
        for (PlanSpec plan : manifest.plans().values()) {
            TemplateContext context = TemplateContext.of(parameters, schema.declared(), plan, Map.of(),
                    manifest.service(), manifest.service());
            for (ComponentSpec c : manifest.components()) {
                if (missing.contains(c.name()) || brokenCharts.contains(c.name())) {
                    continue;
                }
                if (c.work() instanceof ComponentWork.Infrastructure infrastructure) {
                    try {
                        InfrastructureProperties.name(c, infrastructure, context);
                        InfrastructureProperties.resolve(c, infrastructure, context);
                    } catch (TemplatingException e) {
                        e.problems().forEach(p -> problems.add(new PackageProblem(MANIFEST, "plan " + plan.name() + ": " + p)));
                    }
                    continue;
                }
                ComponentOutcome outcome = ComponentRenderer.render(loaded.root(), manifest, c, context, target, scratch);
                outcome.problems().forEach(f -> problems.add(
                        new PackageProblem(f.file(), "plan " + plan.name() + ": " + f.getMessage())));
            }
        }
    }

    /**
     * The problems with those repeated for each plan reported once, under the first plan: a chart broken
     * for every plan is one problem, not one per plan.
     */
    private static List<PackageProblem> dedupe(List<PackageProblem> problems) {
        Set<String> seen = new HashSet<>();
        List<PackageProblem> out = new ArrayList<>();
        for (PackageProblem p : problems) {
            String key = p.file() + "\n" + p.problem().replaceFirst("^plan [a-z0-9-]+: ", "");
            if (seen.add(key)) {
                out.add(p);
            }
        }
        return out;
    }
}
