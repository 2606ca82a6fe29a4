package dev.outpost.hub.packages;

import dev.outpost.protocol.v1.DeploymentPlan;
import java.util.List;
import java.util.Map;

/** Turns a stored package and one deployment's inputs into what the agent carries out. */
public interface PackagePlanning {

    /**
     * Checks a deployment's parameters and plan name against the package: every JSON Schema violation
     * with its JSON pointer, and an unknown plan (pointer {@code /plan}). Empty when they are valid.
     * Secret parameters are not expected from the caller (the hub generates them).
     */
    List<ParameterViolation> checkParameters(byte[] archive, String plan, Map<String, Object> parameters);

    /**
     * Renders every component (Helm charts with helm-java, manifests templates) and orders them into
     * steps with their health gates. Deterministic: the same inputs give the same plan, byte for byte,
     * so {@code input_hash} tells the agent what changed.
     */
    DeploymentPlan plan(byte[] archive, PlanInputs inputs) throws PackageRenderException;
}
