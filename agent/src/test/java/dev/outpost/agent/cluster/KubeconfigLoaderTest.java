package dev.outpost.agent.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubeconfigLoaderTest {
    @TempDir
    Path dir;

    @Test
    void aMissingFileIsNamedWithHowToGetOne() {
        Path file = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> KubeconfigLoader.load(Optional.of(file), Map.of()))
                .isInstanceOf(ClusterAccessException.class)
                .hasMessage("the kubeconfig " + file + " (--kubeconfig or KUBECONFIG) does not exist or is not a file: "
                        + "create one for the agent's ServiceAccount with agent/rbac/kubeconfig.sh (see agent/rbac/README.md)");
    }

    @Test
    void aKubeconfigListIsRefusedWithWhatToPassInstead() {
        Path list = Path.of(dir.resolve("a.yaml") + java.io.File.pathSeparator + dir.resolve("b.yaml"));
        assertThatThrownBy(() -> KubeconfigLoader.fromFile(list))
                .hasMessageEndingWith("is a list of files (as KUBECONFIG may be); the agent reads one: pass --kubeconfig FILE");
    }

    @Test
    void notYamlIsSaidToBeNotAKubeconfig() throws IOException {
        Path file = Files.writeString(dir.resolve("k.yaml"), "clusters: [unclosed");
        assertThatThrownBy(() -> KubeconfigLoader.fromFile(file))
                .hasMessageStartingWith("the kubeconfig " + file + " is not a valid kubeconfig");
    }

    @Test
    void eachMissingPieceIsNamedByField() throws IOException {
        assertThatThrownBy(() -> KubeconfigLoader.fromFile(write("clusters: []\n")))
                .hasMessageContaining("has no current-context: set it with kubectl config use-context");
        assertThatThrownBy(() -> KubeconfigLoader.fromFile(write("current-context: x\ncontexts: []\n")))
                .hasMessageEndingWith(": current-context 'x' is not among its contexts");
        assertThatThrownBy(() -> KubeconfigLoader.fromFile(write("""
                current-context: x
                contexts: [{name: x, context: {cluster: c, user: u}}]
                """))).hasMessageEndingWith(": context 'x' names cluster 'c', which is not among its clusters");
        assertThatThrownBy(() -> KubeconfigLoader.fromFile(write("""
                current-context: x
                contexts: [{name: x, context: {cluster: c, user: u}}]
                clusters: [{name: c, cluster: {server: "https://10.1.2.3:6443"}}]
                """))).hasMessageEndingWith(": context 'x' names user 'u', which is not among its users (users[].name)");
    }

    @Test
    void aCompleteFileLoads() throws Exception {
        Config config = KubeconfigLoader.fromFile(write("""
                current-context: x
                contexts: [{name: x, context: {cluster: c, user: u, namespace: apps}}]
                clusters: [{name: c, cluster: {server: "https://10.1.2.3:6443"}}]
                users: [{name: u, user: {token: abc}}]
                """));
        assertThat(config.getMasterUrl()).startsWith("https://10.1.2.3:6443");
        assertThat(config.getAutoOAuthToken()).isEqualTo("abc");
    }

    @Test
    void withoutKubeconfigOutsideAPodTheAgentSaysToPassOne() {
        assertThatThrownBy(() -> KubeconfigLoader.load(Optional.empty(), Map.of()))
                .hasMessageStartingWith("no cluster to manage: no --kubeconfig (or KUBECONFIG) was given, and this is not "
                        + "a pod with a ServiceAccount (KUBERNETES_SERVICE_HOST is not set). Outside the cluster, pass "
                        + "--kubeconfig FILE");
    }

    private Path write(String content) throws IOException {
        return Files.writeString(Files.createTempFile(dir, "kubeconfig", ".yaml"), content);
    }
}
