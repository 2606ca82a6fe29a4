package dev.outpost.hub.install;

import java.util.List;

/** The command lines an install hands out, each ready to paste into a POSIX shell. */
final class InstallCommands {
    private InstallCommands() {
    }

    /**
     * installer-scripts/install-agent.sh with the install's values; the token in the environment, where
     * {@code ps} does not show it.
     */
    static String installer(String hub, String joinToken, String caHash, String agentNamespace, List<String> namespaces) {
        StringBuilder command = new StringBuilder("OUTPOST_JOIN_TOKEN=").append(quote(joinToken))
                .append(" ./installer-scripts/install-agent.sh --hub ").append(quote(hub))
                .append(" --ca-hash ").append(quote(caHash))
                .append(" --namespace ").append(quote(agentNamespace));
        if (!namespaces.isEmpty()) {
            command.append(" --namespaces ").append(quote(String.join(",", namespaces)));
        }
        return command.toString();
    }

    /** helm upgrade --install of the agent chart with the install's values. */
    static String helm(String hub, String joinToken, String caHash, String agentNamespace, List<String> namespaces) {
        StringBuilder command = new StringBuilder("helm upgrade --install ").append(BundledAgentChart.RELEASE_NAME)
                .append(" charts/outpost-agent --namespace ").append(quote(agentNamespace)).append(" --create-namespace")
                .append(" --set-string hub.address=").append(quote(hub))
                .append(" --set-string hub.caHash=").append(quote(caHash))
                .append(" --set-string joinToken.value=").append(quote(joinToken));
        if (namespaces.isEmpty()) {
            command.append(" --set namespaceMode=per-deployment");
        } else {
            command.append(" --set ").append(quote("namespaces={" + String.join(",", namespaces) + "}"));
        }
        return command.toString();
    }

    /** Single-quoted for a POSIX shell unless it is made of characters no shell treats specially. */
    static String quote(String value) {
        if (value.matches("[A-Za-z0-9_.:/,=@+-]+")) {
            return value;
        }
        return "'" + value.replace("'", "'\\''") + "'";
    }
}
