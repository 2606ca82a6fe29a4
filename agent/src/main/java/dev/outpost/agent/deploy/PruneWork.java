package dev.outpost.agent.deploy;

import dev.outpost.agent.model.Inventory;
import dev.outpost.agent.model.ObjectRef;
import dev.outpost.agent.model.PrunePlan;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The plan's last step, "prune": once every step succeeded, remove what the deployment owns (inventory
 * plus label search) that no step has any more, then record the inventory as applied. It depends on
 * every other step, so a failed upgrade never removes what the previous version needed.
 */
final class PruneWork implements PlanWork {
    private final PlanContext context;
    private final String deploymentId;
    private final long generation;
    private final String contentHash;
    private final String namespace;
    private final List<ObjectRef> wanted;

    PruneWork(PlanContext context, String deploymentId, long generation, String contentHash, String namespace,
              List<ObjectRef> wanted) {
        this.context = context;
        this.deploymentId = deploymentId;
        this.generation = generation;
        this.contentHash = contentHash;
        this.namespace = namespace;
        this.wanted = List.copyOf(wanted);
    }

    @Override
    public String run(PipelineStep.StepNotes notes) throws Exception {
        Inventory inventory = context.inventories().load(deploymentId);
        List<ObjectRef> owned = new ArrayList<>(inventory.objects());
        List<ObjectRef> kinds = Stream.concat(wanted.stream(), inventory.objects().stream()).toList();
        List<String> namespaces = Stream.concat(Stream.of(namespace), kinds.stream().map(ObjectRef::namespace)).toList();
        owned.addAll(context.labelSearch().find(deploymentId, kinds, namespaces));
        List<ObjectRef> prune = PrunePlan.toPrune(owned, wanted);
        List<String> removed = new ArrayList<>();
        for (ObjectRef ref : prune) {
            notes.note("pruning " + ref.describe(namespace));
            String outcome = new RemoveStep("prune", context.objects(), ref, deploymentId, ref.describe(namespace),
                    deleted -> { }).run(notes);
            removed.add(ref.describe(namespace) + " " + outcome);
        }
        context.inventories().save(Inventory.none(deploymentId).appliedAs(generation, contentHash, wanted));
        return prune.isEmpty() ? "nothing to prune; generation " + generation + " recorded"
                : "pruned " + String.join(", ", removed) + "; generation " + generation + " recorded";
    }
}
