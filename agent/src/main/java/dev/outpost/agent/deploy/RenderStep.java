package dev.outpost.agent.deploy;

import dev.outpost.agent.model.DesiredState;
import dev.outpost.agent.model.DesiredStateBuilder;
import dev.outpost.agent.model.Inventory;
import dev.outpost.agent.model.ObjectRef;
import dev.outpost.agent.model.PlanException;
import dev.outpost.agent.model.PrunePlan;
import dev.outpost.protocol.v1.Command;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * "render": renders and checks the release, works out what to prune, and records the objects about
 * to be applied in the inventory before any of them is, so an interrupted apply leaves nothing the
 * agent does not know about.
 */
final class RenderStep implements PipelineStep {
    private final Command command;
    private final DesiredStateBuilder builder;
    private final Inventory previous;
    private final LabelSearch labelSearch;
    private final InventoryStore inventories;
    private DesiredState desired;
    private List<ObjectRef> prune;

    RenderStep(Command command, DesiredStateBuilder builder, Inventory previous, LabelSearch labelSearch,
               InventoryStore inventories) {
        this.command = command;
        this.builder = builder;
        this.previous = previous;
        this.labelSearch = labelSearch;
        this.inventories = inventories;
    }

    @Override
    public String name() {
        return "render";
    }

    @Override
    public String run(StepNotes notes) throws IOException {
        if (previous.hasApplied() && command.getGeneration() < previous.generation()) {
            throw new PlanException("generation " + command.getGeneration() + " is older than generation "
                    + previous.generation() + ", which is applied already");
        }
        desired = builder.build(command.getDeploymentId(), command.getGeneration(), command.getApply());
        List<ObjectRef> wanted = desired.refs();

        List<ObjectRef> owned = new ArrayList<>(previous.objects());
        List<ObjectRef> kinds = Stream.concat(wanted.stream(), previous.objects().stream()).toList();
        List<String> namespaces = kinds.stream().map(ObjectRef::namespace).toList();
        owned.addAll(labelSearch.find(command.getDeploymentId(), kinds, namespaces));
        prune = PrunePlan.toPrune(owned, wanted);

        inventories.save(previous.including(wanted));
        return wanted.size() + " objects to apply, " + prune.size() + " to prune, " + desired.contentHash();
    }

    /** The desired state; set once the step has succeeded. */
    DesiredState desired() {
        return desired;
    }

    /** Objects to prune, in removal order; set once the step has succeeded. */
    List<ObjectRef> prune() {
        return prune;
    }
}
