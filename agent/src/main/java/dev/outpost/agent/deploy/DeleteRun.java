package dev.outpost.agent.deploy;

import dev.outpost.agent.model.Inventory;
import dev.outpost.agent.model.ObjectRef;
import dev.outpost.agent.model.PrunePlan;
import dev.outpost.protocol.v1.Command;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * One delete command: find the deployment's objects (inventory plus label search), delete each,
 * wait until they are gone, forget the inventory. Deleting what is already gone succeeds.
 */
final class DeleteRun {
    /**
     * Kinds searched by label besides those in the inventory, so that a deployment whose inventory
     * was lost can still be deleted: the kinds the agent's documented Role (agent/rbac) allows.
     * Kinds the agent may not list are skipped.
     */
    static final List<ObjectRef> USUAL_KINDS = List.of(
            kind("v1", "ConfigMap"), kind("v1", "Secret"), kind("v1", "Service"), kind("v1", "ServiceAccount"),
            kind("v1", "PersistentVolumeClaim"), kind("apps/v1", "Deployment"), kind("apps/v1", "StatefulSet"),
            kind("apps/v1", "DaemonSet"), kind("policy/v1", "PodDisruptionBudget"),
            // what package charts add (agent/rbac/per-deployment.yaml allows them)
            kind("batch/v1", "Job"), kind("autoscaling/v2", "HorizontalPodAutoscaler"));

    private final Command command;
    private final Pipeline pipeline;
    private final ClusterObjects objects;
    private final CommandContext context;
    private final Deadline goneDeadline;
    private final List<PipelineStep> afterGone;

    /** {@code afterGone}: steps that run once the objects are gone (a plan's infrastructure and namespace). */
    DeleteRun(Command command, CommandContext context, Deadline goneDeadline, List<PipelineStep> afterGone) {
        this.command = command;
        this.pipeline = context.pipeline();
        this.objects = context.objects();
        this.context = context;
        this.goneDeadline = goneDeadline;
        this.afterGone = List.copyOf(afterGone);
    }

    /** Runs the command; true when everything is gone and the inventory forgotten. */
    boolean run() {
        String id = command.getDeploymentId();
        String namespace = command.getDelete().getNamespace();
        List<ObjectRef> toDelete = new ArrayList<>();
        pipeline.add(List.of(PipelineStep.named("find objects", () -> {
            context.builder().checkNamespace(namespace, "the command");
            Inventory inventory = context.inventories().load(id);
            List<ObjectRef> kinds = Stream.concat(inventory.objects().stream(), USUAL_KINDS.stream()).toList();
            List<String> namespaces = Stream.concat(Stream.of(namespace),
                    inventory.objects().stream().map(ObjectRef::namespace)).toList();
            List<ObjectRef> found = new ArrayList<>(inventory.objects());
            found.addAll(context.labelSearch().find(id, kinds, namespaces));
            toDelete.addAll(PrunePlan.inRemoveOrder(found));
            return toDelete.size() + " objects";
        })));
        if (!pipeline.runAll()) {
            return false;
        }
        List<ObjectRef> deleted = new CopyOnWriteArrayList<>();
        List<PipelineStep> steps = new ArrayList<>();
        for (ObjectRef ref : toDelete) {
            steps.add(new RemoveStep("delete", objects, ref, id, ref.describe(namespace), deleted::add));
        }
        steps.add(new WaitGoneStep(objects, deleted, goneDeadline));
        steps.addAll(afterGone);
        steps.add(PipelineStep.named("forget inventory", () -> {
            context.inventories().remove(id);
            return "";
        }));
        pipeline.add(steps);
        return pipeline.runAll();
    }

    /** A stand-in naming only a kind (label search uses apiVersion and kind, never the name). */
    private static ObjectRef kind(String apiVersion, String kind) {
        return new ObjectRef(apiVersion, kind, null, "*");
    }
}
