package dev.outpost.protocol.release;

import dev.outpost.protocol.v1.ApplyDeployment;
import dev.outpost.protocol.v1.Release;
import java.util.Map;

/**
 * Renders an apply command the way the agent applies it: the command's (merged) parameters plus the
 * built-ins. The hub renders the same way to know which content hash an honest agent reports.
 */
public final class ReleaseRendering {
    private ReleaseRendering() {
    }

    /**
     * The rendered manifests of {@code apply} for deployment {@code deploymentId}.
     *
     * @throws TemplateException when a parameter is bad or missing
     */
    public static String render(String deploymentId, ApplyDeployment apply) {
        Release release = apply.getRelease();
        Parameters.checkUserParameters(apply.getParametersMap());
        Map<String, String> values = Parameters.merge(apply.getParametersMap(),
                Parameters.builtIns(deploymentId, apply.getNamespace(), release.getServiceName(), release.getVersion()));
        return ManifestTemplate.render(release.getManifests(), values);
    }

    /**
     * The {@link ContentHash} an agent reports after applying {@code apply}: of the rendered manifests,
     * or, for a package plan, {@link PlanContentHash} (the hub rendered it; nothing is templated here).
     */
    public static String contentHash(String deploymentId, ApplyDeployment apply) {
        if (apply.getPlan().getStepsCount() > 0) {
            return PlanContentHash.of(apply.getPlan());
        }
        return ContentHash.of(render(deploymentId, apply));
    }
}
