package dev.outpost.hub.deployments;

import dev.outpost.hub.drift.DriftPolicy;
import dev.outpost.hub.releases.Release;
import dev.outpost.protocol.v1.ApplyDeployment;
import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.DeleteDeployment;
import java.time.Duration;
import java.util.Map;

/** Builds the {@link Command}s the outbox carries to agents. */
final class Commands {
    private Commands() {
    }

    /** Apply the release with the merged parameters, bringing the deployment to {@code generation}. */
    static Command apply(String commandId, String deploymentId, long generation, Release release,
                         Map<String, String> mergedParameters, String namespace, Duration readyTimeout) {
        return Command.newBuilder().setCommandId(commandId).setDeploymentId(deploymentId).setGeneration(generation)
                .setApply(ApplyDeployment.newBuilder().setRelease(release.toProto()).putAllParameters(mergedParameters)
                        .setNamespace(namespace).setReadyTimeoutSeconds(Math.toIntExact(readyTimeout.toSeconds())))
                .build();
    }

    /** The apply command telling the agent what to do about drift (ApplyDeployment.drift_policy). */
    static Command withDriftPolicy(Command apply, DriftPolicy policy) {
        return apply.toBuilder().setApply(apply.getApply().toBuilder().setDriftPolicy(policy.toProto())).build();
    }

    /** Remove every object of the deployment. */
    static Command delete(String commandId, String deploymentId, long generation, String namespace) {
        return Command.newBuilder().setCommandId(commandId).setDeploymentId(deploymentId).setGeneration(generation)
                .setDelete(DeleteDeployment.newBuilder().setNamespace(namespace))
                .build();
    }
}
