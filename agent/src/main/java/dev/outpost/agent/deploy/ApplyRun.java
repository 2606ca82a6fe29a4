package dev.outpost.agent.deploy;

import dev.outpost.agent.model.DesiredState;
import dev.outpost.agent.model.Inventory;
import dev.outpost.agent.model.ObjectRef;
import dev.outpost.agent.model.WorkloadReadiness;
import dev.outpost.protocol.v1.AppliedDeployment;
import dev.outpost.protocol.v1.Command;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One apply command: render, apply every object, prune what the release dropped, wait for workloads,
 * record the inventory. Applying the same command again changes nothing (server-side apply of
 * unchanged objects is a no-op) and succeeds again.
 */
final class ApplyRun {
    private final Command command;
    private final Pipeline pipeline;
    private final ClusterObjects objects;
    private final InventoryStore inventories;
    private final RenderStep render;
    private final Deadline readyDeadline;

    ApplyRun(Command command, CommandContext context, Deadline readyDeadline) {
        this.command = command;
        this.pipeline = context.pipeline();
        this.objects = context.objects();
        this.inventories = context.inventories();
        this.readyDeadline = readyDeadline;
        Inventory previous = inventories.load(command.getDeploymentId());
        this.render = new RenderStep(command, context.builder(), previous, context.labelSearch(), inventories);
    }

    /** Runs the command; what is applied now when it succeeded, empty when a step failed. */
    Optional<AppliedDeployment> run() {
        pipeline.add(List.of(render));
        if (!pipeline.runAll()) {
            return Optional.empty();
        }
        DesiredState desired = render.desired();
        String namespace = desired.namespace();
        String id = command.getDeploymentId();

        List<PipelineStep> steps = new ArrayList<>();
        for (GenericKubernetesResource object : desired.objects()) {
            steps.add(new ApplyStep(objects, object, id, ObjectRef.of(object).describe(namespace)));
        }
        for (ObjectRef ref : render.prune()) {
            steps.add(new RemoveStep("prune", objects, ref, id, ref.describe(namespace), deleted -> { }));
        }
        for (ObjectRef ref : desired.refs()) {
            if (WorkloadReadiness.isWaitedFor(ref)) {
                steps.add(new WaitAvailableStep(objects, ref, readyDeadline, ref.describe(namespace)));
            }
        }
        Inventory applied = Inventory.none(id).appliedAs(desired.generation(), desired.contentHash(), desired.refs());
        steps.add(PipelineStep.named("record inventory", () -> {
            inventories.save(applied);
            return "generation " + applied.generation();
        }));
        pipeline.add(steps);
        if (!pipeline.runAll()) {
            return Optional.empty();
        }
        return Optional.of(AppliedDeployment.newBuilder().setDeploymentId(id)
                .setGeneration(applied.generation()).setContentHash(applied.contentHash()).build());
    }
}
