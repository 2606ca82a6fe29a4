package dev.outpost.hub.packages.plan;

import dev.outpost.hub.packages.PackagePlanning;
import dev.outpost.hub.packages.PackageRejectedException;
import dev.outpost.hub.packages.PackageRenderException;
import dev.outpost.hub.packages.ParameterViolation;
import dev.outpost.hub.packages.PlanInputs;
import dev.outpost.hub.packages.archive.TempWorkspace;
import dev.outpost.hub.packages.load.LoadedPackage;
import dev.outpost.hub.packages.load.PackageLoader;
import dev.outpost.hub.packages.manifest.ComponentSpec;
import dev.outpost.hub.packages.manifest.ComponentWork;
import dev.outpost.hub.packages.manifest.PackageManifest;
import dev.outpost.hub.packages.manifest.PlanSpec;
import dev.outpost.hub.packages.parameters.ParameterSchema;
import dev.outpost.hub.packages.render.ClusterTarget;
import dev.outpost.hub.packages.render.ComponentOutcome;
import dev.outpost.hub.packages.render.ComponentRenderer;
import dev.outpost.hub.packages.render.RenderFailure;
import dev.outpost.hub.packages.render.TemplateContext;
import dev.outpost.hub.packages.render.TemplatingException;
import dev.outpost.protocol.GrpcLimits;
import dev.outpost.protocol.v1.DeploymentPlan;
import dev.outpost.protocol.v1.PlanStep;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plans one deployment of a stored package: parameters checked and defaulted, then each component, in
 * dependency order, rendered (or its infrastructure resolved) into a step; the plan's quota and
 * container defaults go along. The same inputs give the same plan, byte for byte.
 */
@Singleton
public final class HelmPackagePlanning implements PackagePlanning {
    private static final Logger LOG = LoggerFactory.getLogger(HelmPackagePlanning.class);
    /**
     * Most compressed YAML one plan may carry in total: what fits in one ApplyDeployment message with
     * room left for the rest of it.
     */
    public static final int MAX_PLAN_GZIP_BYTES = GrpcLimits.MAX_MESSAGE_BYTES - 512 * 1024;

    @Override
    public List<ParameterViolation> checkParameters(byte[] archive, String plan, Map<String, Object> parameters) {
        try (TempWorkspace workspace = TempWorkspace.create("parameters")) {
            LoadedPackage loaded = load(archive, workspace);
            List<ParameterViolation> violations = new ArrayList<>();
            if (plan != null && !loaded.manifest().plans().containsKey(plan)) {
                violations.add(new ParameterViolation("/plan", "unknown plan '" + plan + "'; the package has "
                        + String.join(", ", loaded.manifest().plans().keySet())));
            }
            ParameterSchema schema = loaded.schema();
            for (ParameterViolation v : schema.validate(schema.withSecretStandIns(schema.withDefaults(parameters)))) {
                // A stand-in the caller never sent is not the caller's to fix (the hub generates the secret).
                if (!isStandIn(v, schema, parameters)) {
                    violations.add(v);
                }
            }
            return violations;
        }
    }

    @Override
    public DeploymentPlan plan(byte[] archive, PlanInputs inputs) throws PackageRenderException {
        long started = System.nanoTime();
        try (TempWorkspace workspace = TempWorkspace.create("plan")) {
            LoadedPackage loaded = load(archive, workspace);
            PackageManifest manifest = loaded.manifest();
            PlanSpec plan = plan(manifest, inputs.plan());
            ParameterSchema schema = loaded.schema();
            Map<String, Object> parameters = schema.withDefaults(inputs.parameters());
            checkParameters(schema, parameters);
            TemplateContext context = TemplateContext.of(parameters, schema.declared(), plan, inputs.parameters(),
                    inputs.deploymentName(), inputs.namespace());
            ClusterTarget target = ClusterTarget.of(inputs.cluster());
            DeploymentPlan.Builder out = DeploymentPlan.newBuilder();
            long gzipTotal = 0;
            for (ComponentSpec component : order(manifest)) {
                PlanStep step = step(loaded, component, context, target, workspace);
                gzipTotal += step.getObjects().getYamlGzip().size();
                out.addSteps(step);
            }
            if (gzipTotal > MAX_PLAN_GZIP_BYTES) {
                throw new PackageRenderException(null, "the plan's rendered objects are " + gzipTotal
                        + " bytes compressed; at most " + MAX_PLAN_GZIP_BYTES + " fit in one message", null);
            }
            out.putAllNamespaceQuota(new TreeMap<>(plan.quota()));
            out.putAllContainerDefaultLimits(new TreeMap<>(plan.containerDefaults()));
            LOG.info("planned deployment {} of {} {} (plan {}, namespace {}): {} steps in {} ms", inputs.deploymentName(),
                    manifest.service(), manifest.version(), plan.name(), inputs.namespace(), out.getStepsCount(),
                    (System.nanoTime() - started) / 1_000_000);
            return out.build();
        }
    }

    private static PlanStep step(LoadedPackage loaded, ComponentSpec component, TemplateContext context,
                                 ClusterTarget target, TempWorkspace workspace) throws PackageRenderException {
        if (component.work() instanceof ComponentWork.Infrastructure infrastructure) {
            try {
                return StepBuilder.infrastructure(component, infrastructure.kind(),
                        InfrastructureProperties.name(component, infrastructure, context),
                        InfrastructureProperties.resolve(component, infrastructure, context));
            } catch (TemplatingException e) {
                throw new PackageRenderException(component.name(), String.join("; ", e.problems()), e);
            }
        }
        ComponentOutcome outcome = ComponentRenderer.render(loaded.root(), loaded.manifest(), component, context,
                target, workspace.directory());
        if (!outcome.ok()) {
            String message = outcome.problems().stream().map(f -> f.file() + ": " + f.getMessage())
                    .collect(Collectors.joining("; "));
            RenderFailure first = outcome.problems().getFirst();
            throw new PackageRenderException(component.name(), "component " + component.name() + ": " + message, first);
        }
        return StepBuilder.objects(component, outcome.objects());
    }

    private static boolean isStandIn(ParameterViolation v, ParameterSchema schema, Map<String, Object> given) {
        for (String secret : schema.secrets()) {
            if (!given.containsKey(secret) && (v.pointer().equals("/" + secret) || v.pointer().startsWith("/" + secret + "/"))) {
                return true;
            }
        }
        return false;
    }

    private static PlanSpec plan(PackageManifest manifest, String name) throws PackageRenderException {
        String chosen = name == null ? manifest.defaultPlan() : name;
        PlanSpec plan = manifest.plans().get(chosen);
        if (plan == null) {
            throw new PackageRenderException(null, "unknown plan '" + chosen + "'; the package has "
                    + String.join(", ", manifest.plans().keySet()), null);
        }
        return plan;
    }

    private static void checkParameters(ParameterSchema schema, Map<String, Object> parameters)
            throws PackageRenderException {
        List<ParameterViolation> violations = schema.validate(parameters);
        if (!violations.isEmpty()) {
            throw new PackageRenderException(null, "the parameters do not match the package's schema: "
                    + violations.stream().map(v -> v.pointer() + " " + v.message()).collect(Collectors.joining("; ")), null);
        }
    }

    private static List<ComponentSpec> order(PackageManifest manifest) throws PackageRenderException {
        try {
            return DependencyOrder.order(manifest.components());
        } catch (DependencyException e) {
            throw new PackageRenderException(null, String.join("; ", e.problems()), e);
        }
    }

    /** A stored package passed inspection; one that no longer loads is a bug or a corrupted store. */
    private static LoadedPackage load(byte[] archive, TempWorkspace workspace) {
        try {
            return PackageLoader.load(archive, workspace.directory().resolve("package"), null);
        } catch (PackageRejectedException e) {
            throw new IllegalArgumentException("the stored package does not load: " + e.getMessage(), e);
        }
    }
}
