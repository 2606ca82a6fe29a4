package dev.outpost.agent.deploy;

import dev.outpost.agent.infra.InfrastructureLocks;
import dev.outpost.agent.infra.InfrastructureResult;
import dev.outpost.agent.model.PlanException;
import dev.outpost.agent.plan.StepRecord;
import dev.outpost.protocol.v1.InfrastructureRequirement;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * An infrastructure step: under the item's lock, ask the provider to make it exist, then pass the gate.
 * An item made ready before with the same inputs is not asked for again.
 */
final class InfrastructureWork implements PlanWork {
    private final InfrastructureRequirement requirement;
    private final PlanContext context;
    private final String deploymentId;
    private final Duration timeout;
    private final StepGate gate;
    private final BooleanSupplier unchanged;

    InfrastructureWork(InfrastructureRequirement requirement, PlanContext context, String deploymentId,
                       Duration timeout, StepGate gate, BooleanSupplier unchanged) {
        this.requirement = requirement;
        this.context = context;
        this.deploymentId = deploymentId;
        this.timeout = timeout;
        this.gate = gate;
        this.unchanged = unchanged;
    }

    @Override
    public String run(PipelineStep.StepNotes notes) throws Exception {
        String item = requirement.getKind() + " `" + requirement.getName() + "`";
        if (unchanged.getAsBoolean()) {
            return "unchanged: " + item + " was made ready before" + suffix(gate.check(notes));
        }
        notes.note("waiting for the lock on " + item);
        InfrastructureResult result;
        try (InfrastructureLocks.Held held = context.locks().acquire(requirement.getKind(), requirement.getName(),
                "deployment " + deploymentId, timeout)) {
            notes.note("asking the infrastructure provider for " + item);
            result = context.infrastructure().ensure(requirement, timeout);
        } catch (InfrastructureLocks.LockTimeoutException e) {
            throw new PlanException(e.getMessage());
        }
        if (!result.ok()) {
            throw new PlanException(result.message());
        }
        return result.message() + suffix(gate.check(notes));
    }

    @Override
    public StepRecord record(String name, String inputHash) {
        return new StepRecord(name, inputHash, requirement.getKind(), requirement.getName());
    }

    private static String suffix(String gate) {
        return gate.isEmpty() ? "" : "; " + gate;
    }
}
