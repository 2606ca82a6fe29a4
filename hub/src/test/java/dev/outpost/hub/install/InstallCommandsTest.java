package dev.outpost.hub.install;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class InstallCommandsTest {

    @Test
    void valuesAShellWouldSplitOrExpandAreSingleQuoted() {
        assertThat(InstallCommands.quote("hub.example:8443")).isEqualTo("hub.example:8443");
        assertThat(InstallCommands.quote("a b$HOME'c")).isEqualTo("'a b$HOME'\\''c'");
        assertThat(InstallCommands.quote("[::1]:8443")).isEqualTo("'[::1]:8443'");
    }

    @Test
    void perDeploymentModeWhenNoNamespacesAreGiven() {
        assertThat(InstallCommands.installer("h:1", "jt_1.s", "sha256:ab", "outpost", List.of()))
                .isEqualTo("OUTPOST_JOIN_TOKEN=jt_1.s ./installer-scripts/install-agent.sh --hub h:1 --ca-hash sha256:ab --namespace outpost");
        assertThat(InstallCommands.helm("h:1", "jt_1.s", "sha256:ab", "outpost", List.of()))
                .endsWith("--set namespaceMode=per-deployment");
    }
}
