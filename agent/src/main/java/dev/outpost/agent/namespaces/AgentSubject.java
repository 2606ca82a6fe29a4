package dev.outpost.agent.namespaces;

import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.api.model.rbac.SubjectBuilder;

/**
 * Who the agent is to the API server, as the subject of the RoleBinding it creates in each namespace
 * it makes: its ServiceAccount, or a user when it runs with a user's kubeconfig.
 */
public record AgentSubject(String username) {
    private static final String SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";

    /** The RBAC subject that names this identity. */
    public Subject toSubject() {
        if (username.startsWith(SERVICE_ACCOUNT_PREFIX)) {
            String[] parts = username.substring(SERVICE_ACCOUNT_PREFIX.length()).split(":", 2);
            if (parts.length == 2 && !parts[0].isEmpty() && !parts[1].isEmpty()) {
                return new SubjectBuilder().withKind("ServiceAccount").withNamespace(parts[0]).withName(parts[1]).build();
            }
        }
        return new SubjectBuilder().withKind("User").withApiGroup("rbac.authorization.k8s.io").withName(username).build();
    }
}
