package dev.outpost.agent.deploy;

import dev.outpost.agent.infra.InfrastructureLocks;
import dev.outpost.agent.infra.InfrastructureProvider;
import dev.outpost.agent.infra.InfrastructureResult;
import dev.outpost.agent.model.PlanException;
import dev.outpost.agent.namespaces.NamespaceException;
import dev.outpost.agent.namespaces.NamespaceProvisioner;
import dev.outpost.agent.namespaces.NamespaceRemoval;
import dev.outpost.agent.plan.DeploymentSteps;
import dev.outpost.agent.plan.StepRecord;
import dev.outpost.agent.plan.StepRecordStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The steps a delete adds for a deployment that ran plans, once its objects are gone: remove each
 * infrastructure item it made exist unless another deployment still uses it (shared items stay, named),
 * remove the namespace the agent created for it, forget the step records.
 */
final class PlanCleanup {
    private final StepRecordStore records;
    private final InfrastructureProvider infrastructure;
    private final InfrastructureLocks locks;
    private final Optional<NamespaceProvisioner> namespaces;
    private final Duration timeout;

    PlanCleanup(StepRecordStore records, InfrastructureProvider infrastructure, InfrastructureLocks locks,
                Optional<NamespaceProvisioner> namespaces, Duration timeout) {
        this.records = records;
        this.infrastructure = infrastructure;
        this.locks = locks;
        this.namespaces = namespaces;
        this.timeout = timeout;
    }

    /** The steps for {@code deploymentId} deleted from {@code namespace}; none when it never ran a plan. */
    List<PipelineStep> steps(String deploymentId, String namespace) {
        DeploymentSteps mine = records.load(deploymentId);
        List<PipelineStep> steps = new ArrayList<>();
        for (StepRecord item : mine.succeeded().stream().filter(StepRecord::isInfrastructure).toList()) {
            steps.add(PipelineStep.named("remove " + item.infrastructureKind() + "/" + item.infrastructureName(),
                    () -> remove(deploymentId, item)));
        }
        if (mine.ownNamespace() && mine.namespace().equals(namespace) && namespaces.isPresent()) {
            steps.add(PipelineStep.named("remove namespace", () -> removeNamespace(namespaces.get(), namespace, deploymentId)));
        }
        if (!mine.succeeded().isEmpty() || mine.ownNamespace()) {
            steps.add(PipelineStep.named("forget plan steps", () -> {
                records.remove(deploymentId);
                return "";
            }));
        }
        return steps;
    }

    private String remove(String deploymentId, StepRecord item) throws Exception {
        String kind = item.infrastructureKind();
        String name = item.infrastructureName();
        List<String> others = records.all().stream().filter(steps -> !steps.deploymentId().equals(deploymentId))
                .filter(steps -> steps.succeeded().stream().anyMatch(step -> kind.equals(step.infrastructureKind())
                        && name.equals(step.infrastructureName())))
                .map(DeploymentSteps::deploymentId).sorted().toList();
        if (!others.isEmpty()) {
            return "kept: still used by deployment " + String.join(", ", others);
        }
        InfrastructureResult result;
        try (InfrastructureLocks.Held held = locks.acquire(kind, name, "deployment " + deploymentId, timeout)) {
            result = infrastructure.remove(kind, name, timeout);
        } catch (InfrastructureLocks.LockTimeoutException e) {
            throw new PlanException(e.getMessage());
        }
        if (!result.ok()) {
            throw new PlanException(result.message());
        }
        return result.message();
    }

    private static String removeNamespace(NamespaceProvisioner provisioner, String namespace, String deploymentId)
            throws NamespaceException {
        NamespaceRemoval removal = provisioner.remove(namespace, deploymentId, Duration.ofMinutes(2));
        if (removal.namespaceDeleted()) {
            return "namespace " + namespace + " deleted";
        }
        return "namespace " + namespace + " kept" + (removal.retainedClaims().isEmpty() ? ""
                : " for the retained PersistentVolumeClaims " + String.join(", ", removal.retainedClaims()));
    }
}
