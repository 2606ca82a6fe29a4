package dev.outpost.hub.deployments.packaged;

import dev.outpost.protocol.ProtocolRevision;
import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.CommandResult;
import dev.outpost.protocol.v1.Outcome;
import java.util.Optional;

/**
 * Keeps plans from agents that cannot read them: a revision 1 agent would see an apply with empty
 * manifests, apply nothing and prune everything. The gateway answers such a command itself, failed.
 */
public final class RevisionGate {
    private RevisionGate() {
    }

    /**
     * The failed result the hub records instead of sending {@code command} on a stream that negotiated
     * {@code revision}; empty when the command may be sent.
     */
    public static Optional<CommandResult> refusal(Command command, int revision) {
        if (revision >= ProtocolRevision.PLANS || !command.hasApply() || !command.getApply().hasPlan()) {
            return Optional.empty();
        }
        return Optional.of(CommandResult.newBuilder().setCommandId(command.getCommandId())
                .setOutcome(Outcome.OUTCOME_FAILED).setFailureReason(AgentFacts.revisionTooOld(revision)).build());
    }
}
