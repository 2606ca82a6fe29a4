package dev.outpost.hub.deployments;

import dev.outpost.hub.drift.DriftPolicy;
import dev.outpost.hub.releases.Release;
import dev.outpost.protocol.v1.ApplyDeployment;
import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.DeleteDeployment;
import dev.outpost.protocol.v1.DeploymentPlan;
import dev.outpost.protocol.v1.NamespaceMode;
import java.time.Duration;
import java.util.Map;

/** Builds the {@link Command}s the outbox carries to agents. */
public final class Commands {
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

    /**
     * Carry out the plan a package release was rendered into (revision 2): the release travels without
     * manifests and without parameters, which the plan already holds rendered. The drift policy is left
     * unset here (the drift part sets it).
     */
    public static Command applyPlan(String commandId, String deploymentId, long generation, Release release,
                                    DeploymentPlan plan, String namespace, NamespaceMode namespaceMode,
                                    Duration readyTimeout) {
        dev.outpost.protocol.v1.Release packageRelease = dev.outpost.protocol.v1.Release.newBuilder()
                .setReleaseId(release.id()).setServiceName(release.serviceName()).setVersion(release.version()).build();
        return Command.newBuilder().setCommandId(commandId).setDeploymentId(deploymentId).setGeneration(generation)
                .setApply(ApplyDeployment.newBuilder().setRelease(packageRelease).setPlan(plan).setNamespace(namespace)
                        .setNamespaceMode(namespaceMode).setReadyTimeoutSeconds(Math.toIntExact(readyTimeout.toSeconds())))
                .build();
    }

    /** Remove every object of the deployment. */
    static Command delete(String commandId, String deploymentId, long generation, String namespace) {
        return Command.newBuilder().setCommandId(commandId).setDeploymentId(deploymentId).setGeneration(generation)
                .setDelete(DeleteDeployment.newBuilder().setNamespace(namespace))
                .build();
    }
}
