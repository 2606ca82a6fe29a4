package dev.outpost.protocol;

import java.util.Set;

/**
 * Step names the agent adds to every plan it carries out (reported in CommandProgress and
 * CommandResult beside the plan's own): a plan may not use them, and a package's components may not
 * be named so.
 */
public final class PlanStepNames {
    /** Creates the deployment's namespace first (NAMESPACE_MODE_PER_DEPLOYMENT). */
    public static final String NAMESPACE = "namespace";
    /** Removes what no step has any more, last, once every step succeeded. */
    public static final String PRUNE = "prune";
    /** Both. */
    public static final Set<String> RESERVED = Set.of(NAMESPACE, PRUNE);

    private PlanStepNames() {
    }
}
