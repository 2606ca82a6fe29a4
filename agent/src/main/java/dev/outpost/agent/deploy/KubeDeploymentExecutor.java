package dev.outpost.agent.deploy;

import dev.outpost.protocol.v1.AppliedDeployment;
import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.CommandResult;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Set;

/**
 * PLACEHOLDER so that Main compiles on the protocol branch: the agent-kube branch has the real
 * class with this constructor. On merge, take the agent-kube version of this file.
 */
public final class KubeDeploymentExecutor implements DeploymentExecutor {

    public KubeDeploymentExecutor(KubernetesClient client, Set<String> allowedNamespaces, Path stateDir,
            String fieldManager, Clock clock) {
    }

    @Override
    public CommandResult execute(Command command, ProgressListener progress) {
        throw new UnsupportedOperationException("placeholder; see the agent-kube branch");
    }

    @Override
    public List<AppliedDeployment> applied() {
        return List.of();
    }
}
