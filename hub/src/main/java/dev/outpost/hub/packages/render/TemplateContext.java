package dev.outpost.hub.packages.render;

import dev.outpost.hub.packages.manifest.PlanSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What expressions in a component's values may refer to.
 *
 * @param parameters     the deployment's parameters after schema defaults (secrets included)
 * @param declared       the parameter names the schema declares: {@code parameters.x} is known iff x is declared
 *                       (and is null when the deployment has no value for it)
 * @param plan           the plan's values, each overridden by a parameter of the same name the deployment set
 * @param deploymentName the deployment's name (Helm's release name)
 * @param namespace      the namespace the objects go to
 */
public record TemplateContext(Map<String, Object> parameters, Set<String> declared, Map<String, Object> plan,
                              String deploymentName, String namespace) {

    /**
     * The context of one deployment: {@code parameters} are its effective parameters (schema defaults
     * applied), {@code explicit} the ones it set itself, which alone override plan values of the same name.
     */
    public static TemplateContext of(Map<String, Object> parameters, Set<String> declared, PlanSpec plan,
                                     Map<String, Object> explicit, String deploymentName, String namespace) {
        Map<String, Object> planValues = new LinkedHashMap<>(plan.values());
        for (String key : plan.values().keySet()) {
            if (explicit.containsKey(key)) {
                planValues.put(key, explicit.get(key));
            }
        }
        return new TemplateContext(parameters, declared, planValues, deploymentName, namespace);
    }
}
