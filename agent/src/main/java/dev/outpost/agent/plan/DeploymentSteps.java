package dev.outpost.agent.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the agent remembers of a deployment's plan between commands: the steps that succeeded (by
 * name and input hash, so a retry resumes after them) and whether it created the namespace itself.
 */
public record DeploymentSteps(String deploymentId, String namespace, boolean ownNamespace, List<StepRecord> succeeded) {

    public DeploymentSteps {
        namespace = namespace == null ? "" : namespace;
        succeeded = succeeded == null ? List.of() : List.copyOf(succeeded);
    }

    /** Nothing remembered yet. */
    public static DeploymentSteps none(String deploymentId) {
        return new DeploymentSteps(deploymentId, "", false, List.of());
    }

    /** The record of step {@code name}, if it succeeded last time. */
    public Optional<StepRecord> step(String name) {
        return succeeded.stream().filter(step -> step.name().equals(name)).findFirst();
    }

    /** Whether step {@code name} succeeded last time with exactly {@code inputHash}, in {@code namespace}. */
    public boolean unchanged(String name, String inputHash, String inNamespace) {
        return !inputHash.isEmpty() && namespace.equals(inNamespace)
                && step(name).map(step -> step.inputHash().equals(inputHash)).orElse(false);
    }

    /** The same, with {@code record} replacing any earlier record of its step, made in {@code inNamespace}. */
    public DeploymentSteps with(StepRecord record, String inNamespace, boolean createsNamespace) {
        boolean sameNamespace = namespace.equals(inNamespace) || succeeded.isEmpty();
        // objects steps done in another namespace are no shortcut here; infrastructure is outside namespaces
        List<StepRecord> steps = new ArrayList<>(succeeded.stream()
                .filter(step -> sameNamespace || step.isInfrastructure())
                .filter(step -> !step.name().equals(record.name())).toList());
        steps.add(record);
        return new DeploymentSteps(deploymentId, inNamespace, sameNamespace && ownNamespace || createsNamespace, steps);
    }

    /**
     * The same without step {@code name} (it failed or is about to change: a half-done step must be redone).
     * Other records are kept only when they were made in {@code inNamespace}.
     */
    public DeploymentSteps without(String name, String inNamespace, boolean createsNamespace) {
        boolean sameNamespace = namespace.equals(inNamespace);
        List<StepRecord> steps = sameNamespace
                ? succeeded.stream().filter(step -> !step.name().equals(name)).toList()
                // infrastructure is outside any namespace: still the deployment's to remove on delete
                : succeeded.stream().filter(StepRecord::isInfrastructure).filter(step -> !step.name().equals(name)).toList();
        return new DeploymentSteps(deploymentId, inNamespace, sameNamespace && ownNamespace || createsNamespace, steps);
    }

    /** Only the records of steps still in the plan ({@code names}); items a plan dropped stay listed for delete. */
    public DeploymentSteps keepingOnly(List<String> names) {
        return new DeploymentSteps(deploymentId, namespace, ownNamespace, succeeded.stream()
                .filter(step -> names.contains(step.name()) || step.isInfrastructure()).toList());
    }
}
