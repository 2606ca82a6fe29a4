package dev.outpost.agent.logs;

import dev.outpost.protocol.v1.LogSource;

/** One container of one pod of one deployment whose log the agent follows, or (no deployment) the agent's own log. */
public record FollowedSource(String deploymentId, String namespace, String pod, String podUid, String container) {

    /** Identifies the source across restarts: a pod recreated under the same name has another uid. */
    public String key() {
        return podUid + "/" + container;
    }

    /** "deployment=… pod=ns/name container=…", for log lines. */
    public String describe() {
        return "deployment=" + deploymentId + " pod=" + namespace + "/" + pod + " container=" + container;
    }

    LogSource toProto() {
        if (deploymentId.isEmpty()) {
            // the agent's own log (AgentOwnLog.SOURCE): the hub names it after the agent's certificate
            return LogSource.newBuilder().setAgent(true).setContainer(container).build();
        }
        return LogSource.newBuilder().setDeploymentId(deploymentId).setNamespace(namespace).setPod(pod)
                .setPodUid(podUid).setContainer(container).build();
    }
}
