package dev.outpost.agent.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the agent owns for one deployment: the objects it has applied (or was about to apply when it
 * stopped) and the generation and content hash it last applied successfully. Generation 0 means no
 * apply has succeeded yet. Prune and delete work from {@code objects}.
 */
public record Inventory(String deploymentId, long generation, String contentHash, List<ObjectRef> objects) {

    public Inventory {
        contentHash = contentHash == null ? "" : contentHash;
        objects = objects == null ? List.of() : List.copyOf(objects);
    }

    /** The inventory of a deployment the agent has never applied. */
    public static Inventory none(String deploymentId) {
        return new Inventory(deploymentId, 0, "", List.of());
    }

    /** Whether an apply of this deployment has ever succeeded. */
    public boolean hasApplied() {
        return generation > 0;
    }

    /**
     * The same inventory also owning {@code more}: written before applying, so that objects created by
     * an apply that is then interrupted are still known (and pruned) next time.
     */
    public Inventory including(Collection<ObjectRef> more) {
        Map<String, ObjectRef> union = new LinkedHashMap<>();
        objects.forEach(ref -> union.put(ref.identity(), ref));
        more.forEach(ref -> union.put(ref.identity(), ref));
        return new Inventory(deploymentId, generation, contentHash, new ArrayList<>(union.values()));
    }

    /** The inventory after a successful apply. */
    public Inventory appliedAs(long newGeneration, String newContentHash, List<ObjectRef> applied) {
        return new Inventory(deploymentId, newGeneration, newContentHash, applied);
    }
}
