package dev.outpost.agent.deploy;

import dev.outpost.agent.model.DesiredState;
import dev.outpost.agent.model.ObjectRef;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.io.IOException;
import java.util.function.BooleanSupplier;

/**
 * An objects step: record the objects in the inventory before any is applied (so an interrupted step
 * leaves nothing unknown), server-side apply each in order, then pass the gate. When the step is
 * unchanged since it last succeeded and its objects are all still there, nothing is applied and only
 * the gate is checked again.
 */
final class ObjectsWork implements PlanWork {
    private final DesiredState desired;
    private final PlanContext context;
    private final StepGate gate;
    private final BooleanSupplier unchanged;

    ObjectsWork(DesiredState desired, PlanContext context, StepGate gate, BooleanSupplier unchanged) {
        this.desired = desired;
        this.context = context;
        this.gate = gate;
        this.unchanged = unchanged;
    }

    @Override
    public String run(PipelineStep.StepNotes notes) throws Exception {
        if (unchanged.getAsBoolean() && allPresent()) {
            notes.note("unchanged since it last succeeded; checking its gate");
            desired.objects().forEach(context.objects()::alreadyApplied);
            return join("unchanged", gate.check(notes));
        }
        recordInInventory();
        for (GenericKubernetesResource object : desired.objects()) {
            String description = ObjectRef.of(object).describe(desired.namespace());
            notes.note("applying " + description);
            new ApplyStep(context.objects(), object, desired.deploymentId(), description).run(notes);
        }
        return join(desired.objects().size() + " objects applied", gate.check(notes));
    }

    private boolean allPresent() {
        return desired.refs().stream().allMatch(ref -> context.objects().get(ref).isPresent());
    }

    private void recordInInventory() throws IOException {
        InventoryStore inventories = context.inventories();
        inventories.save(inventories.load(desired.deploymentId()).including(desired.refs()));
    }

    private static String join(String done, String gate) {
        return gate.isEmpty() ? done : done + "; " + gate;
    }
}
