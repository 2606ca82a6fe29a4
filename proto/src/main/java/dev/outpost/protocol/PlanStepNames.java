package dev.outpost.protocol;

import java.util.Set;

/**
 * Step names the agent adds to every plan it carries out (reported in CommandProgress and
 * CommandResult beside the plan's own): a plan may not use them, and a package's components may not
 * be named so.
 */
public final class PlanStepNames {
    /** Checks first that the cluster has what the plan needs (kinds, namespace, storage classes, quota). */
    public static final String PREFLIGHT = "preflight";
    /** Creates the deployment's namespace first (NAMESPACE_MODE_PER_DEPLOYMENT). */
    public static final String NAMESPACE = "namespace";
    /** Removes what no step has any more, last, once every step succeeded. */
    public static final String PRUNE = "prune";
    /** All three. */
    public static final Set<String> RESERVED = Set.of(PREFLIGHT, NAMESPACE, PRUNE);

    private PlanStepNames() {
    }
}
