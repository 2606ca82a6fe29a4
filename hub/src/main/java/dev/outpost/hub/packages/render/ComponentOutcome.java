package dev.outpost.hub.packages.render;

import java.util.List;

/**
 * What rendering one component gave: its objects in apply order, or the reasons it failed.
 *
 * @param objects  the objects, sorted (empty when there are problems)
 * @param problems every failure, each naming its package file
 */
public record ComponentOutcome(List<RenderedObject> objects, List<RenderFailure> problems) {
    public ComponentOutcome {
        objects = List.copyOf(objects);
        problems = List.copyOf(problems);
    }

    /** True when the component rendered and its objects break no rule. */
    public boolean ok() {
        return problems.isEmpty();
    }
}
