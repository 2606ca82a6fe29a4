package dev.outpost.agent.model;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Which owned objects an apply removes, and the order to remove objects in. */
public final class PrunePlan {
    private PrunePlan() {
    }

    /**
     * Objects the deployment owns that the new release no longer has, workloads first. An object that
     * moved to another API version of the same group is kept (it is the same object).
     */
    public static List<ObjectRef> toPrune(Collection<ObjectRef> owned, Collection<ObjectRef> desired) {
        Set<String> keep = desired.stream().map(ObjectRef::identity).collect(Collectors.toSet());
        Map<String, ObjectRef> prune = new LinkedHashMap<>();
        for (ObjectRef ref : owned) {
            if (!keep.contains(ref.identity())) {
                prune.putIfAbsent(ref.identity(), ref);
            }
        }
        return inRemoveOrder(prune.values());
    }

    /** Objects, without duplicates, in the order they are removed. */
    public static List<ObjectRef> inRemoveOrder(Collection<ObjectRef> refs) {
        Map<String, ObjectRef> unique = new LinkedHashMap<>();
        refs.forEach(ref -> unique.putIfAbsent(ref.identity(), ref));
        return unique.values().stream().sorted(ApplyOrder.REMOVE).toList();
    }
}
