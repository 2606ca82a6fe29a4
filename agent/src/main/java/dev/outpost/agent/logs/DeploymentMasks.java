package dev.outpost.agent.logs;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The mask of each deployment: the configured patterns plus the values of the Secrets the agent
 * applied for it. Values once seen stay masked for the life of the process, so a moment in which the
 * applied objects are not known (a failed apply clears them) never unmasks a value.
 */
final class DeploymentMasks {
    /** Bounds the values remembered per deployment (a release has far fewer Secrets). */
    static final int MAX_VALUES_PER_DEPLOYMENT = 10_000;

    private final SecretMask patterns;
    private final Function<String, List<Map<String, Object>>> appliedObjects;
    private final Map<String, Set<String>> known = new ConcurrentHashMap<>();
    private final Map<String, SecretMask> masks = new ConcurrentHashMap<>();

    /** @param appliedObjects the objects (JSON trees) the agent last applied for a deployment */
    DeploymentMasks(SecretMask patterns, Function<String, List<Map<String, Object>>> appliedObjects) {
        this.patterns = patterns;
        this.appliedObjects = appliedObjects;
    }

    /** Reads the deployment's applied Secrets again (each discovery round). */
    void refresh(String deploymentId) {
        Collection<String> values = SecretValues.of(appliedObjects.apply(deploymentId));
        Set<String> all = known.computeIfAbsent(deploymentId, id -> new HashSet<>());
        synchronized (all) {
            if (all.containsAll(values) && masks.containsKey(deploymentId)) {
                return;
            }
            for (String value : values) {
                if (all.size() < MAX_VALUES_PER_DEPLOYMENT) {
                    all.add(value);
                }
            }
            masks.put(deploymentId, patterns.withSecrets(Set.copyOf(all)));
        }
    }

    /** The deployment's current mask (patterns only until its Secrets are known). */
    SecretMask of(String deploymentId) {
        return masks.getOrDefault(deploymentId, patterns);
    }

    /** Forgets deployments no longer followed. */
    void retain(Set<String> deploymentIds) {
        known.keySet().retainAll(deploymentIds);
        masks.keySet().retainAll(deploymentIds);
    }
}
