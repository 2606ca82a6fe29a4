package dev.outpost.hub.deployments.lifecycle;

import dev.outpost.hub.deployments.Deployment;
import dev.outpost.hub.deployments.Operation;
import dev.outpost.protocol.v1.Command;
import java.util.Optional;

/**
 * When an operation may be retried, and what a retry sends: the failed command again (same release,
 * parameters and plan, so the agent skips plan steps whose input hash it already applied), under a new
 * command id and the deployment's next generation.
 */
public final class Retries {
    private Retries() {
    }

    /**
     * Why {@code op} cannot be retried now, or empty: it must have failed, be its deployment's latest
     * operation ({@code latestGeneration}), and the deployment must be live with nothing active.
     */
    public static Optional<String> refusal(Deployment deployment, Operation op, long latestGeneration) {
        if (deployment.status() == Deployment.Status.DELETED) {
            return Optional.of("deployment " + deployment.id() + " is deleted");
        }
        if (deployment.activeOperationId() != null) {
            return Optional.of("deployment " + deployment.id() + " has operation " + deployment.activeOperationId()
                    + " pending or running; wait until it finishes");
        }
        if (op.status() != Operation.Status.FAILED) {
            return Optional.of("operation " + op.id() + " is " + op.status().json()
                    + "; only a failed operation can be retried");
        }
        if (op.generation() != latestGeneration) {
            return Optional.of("operation " + op.id() + " is not the latest operation of deployment " + deployment.id()
                    + " (a later change was made since); retry that one, or make a new change");
        }
        return Optional.empty();
    }

    /** The failed command again, as a new command that brings the deployment to {@code generation}. */
    public static Command again(Command failed, String commandId, long generation) {
        return failed.toBuilder().setCommandId(commandId).setGeneration(generation).build();
    }
}
