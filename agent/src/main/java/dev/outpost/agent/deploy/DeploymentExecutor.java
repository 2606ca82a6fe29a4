package dev.outpost.agent.deploy;

import dev.outpost.protocol.v1.AppliedDeployment;
import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.CommandResult;
import java.util.List;

/**
 * Carries out one deployment command against the agent's cluster. Called for one deployment at a
 * time (the caller serialises commands per deployment); must be idempotent, since a command can be
 * delivered again after a reconnect.
 */
public interface DeploymentExecutor {

    /**
     * Runs an apply or delete command to the end and returns its result (never throws for a
     * failure in the cluster: that is a failed result with a reason). Reports steps as they change.
     */
    CommandResult execute(Command command, ProgressListener progress);

    /** What is applied now, one entry per deployment the agent owns objects for (for Hello). */
    List<AppliedDeployment> applied();
}
