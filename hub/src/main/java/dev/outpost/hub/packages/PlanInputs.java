package dev.outpost.hub.packages;

import dev.outpost.protocol.v1.ClusterFacts;
import java.util.Map;

/**
 * What planning one deployment of a package needs.
 *
 * @param deploymentName the deployment's name (Helm's release name)
 * @param namespace      the namespace the objects go to
 * @param plan           the plan (tier) chosen, one of the package's plans
 * @param parameters     the deployment's parameters as JSON values (strings, numbers, booleans, objects),
 *                       secrets included; schema defaults and plan values are applied by the planner
 * @param cluster        the environment's cluster facts (Kubernetes version, API versions)
 */
public record PlanInputs(
        String deploymentName, String namespace, String plan, Map<String, Object> parameters, ClusterFacts cluster) {
}
