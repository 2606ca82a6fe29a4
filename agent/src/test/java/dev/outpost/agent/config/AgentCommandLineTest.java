package dev.outpost.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AgentCommandLineTest {
    private static final String PIN = "sha256:" + "ab".repeat(32);

    @Test
    void readsFlagsWithDefaults() throws Exception {
        AgentConfig config = parse(Map.of(), "--hub", "hub.example.com:8443", "--namespaces", "apps, data",
                "--join-token", "id.secret", "--ca-hash", PIN.toUpperCase().replace("SHA256", "sha256"));

        assertThat(config.hub()).isEqualTo(new HubAddress("hub.example.com", 8443));
        assertThat(config.namespaces()).containsExactly("apps", "data");
        assertThat(config.joinToken()).contains("id.secret");
        assertThat(config.caHash()).contains(PIN);
        assertThat(config.stateDir()).isEqualTo(Path.of("./outpost-agent-state"));
        assertThat(config.kubeconfig()).isEmpty();
        assertThat(config.fieldManager()).isEqualTo("outpost-agent");
        assertThat(config.maxParallelDeployments()).isEqualTo(4);
        assertThat(config.toString()).doesNotContain("secret");
    }

    @Test
    void fallsBackToEnvironmentVariablesAndFlagsWin() throws Exception {
        Map<String, String> env = Map.of("OUTPOST_HUB", "10.0.0.5:443", "OUTPOST_NAMESPACES", "apps",
                "OUTPOST_STATE_DIR", "/var/lib/outpost", "KUBECONFIG", "/k/config", "OUTPOST_JOIN_TOKEN", "a.b",
                "OUTPOST_CA_HASH", PIN);

        AgentConfig config = parse(env, "--namespaces", "other");

        assertThat(config.hub()).isEqualTo(new HubAddress("10.0.0.5", 443));
        assertThat(config.namespaces()).containsExactly("other");
        assertThat(config.stateDir()).isEqualTo(Path.of("/var/lib/outpost"));
        assertThat(config.kubeconfig()).contains(Path.of("/k/config"));
        assertThat(config.joinToken()).contains("a.b");
    }

    @Test
    void explainsWhatIsMissingOrWrong() {
        assertUsage(Map.of(), "--hub (or OUTPOST_HUB) is required", "--namespaces", "apps");
        assertUsage(Map.of(), "--namespaces (or OUTPOST_NAMESPACES) is required with --namespace-mode existing",
                "--hub", "h:1", "--namespace-mode", "existing");
        assertUsage(Map.of(), "--namespace-mode must be one of per-deployment, existing, got 'shared'",
                "--hub", "h:1", "--namespace-mode", "shared");
        assertUsage(Map.of(), "--ca-hash (or OUTPOST_CA_HASH) is required with a join token",
                "--hub", "h:1", "--namespaces", "apps", "--join-token", "a.b");
        assertUsage(Map.of(), "--hub must be host:port", "--hub", "hub-without-port", "--namespaces", "apps");
        assertUsage(Map.of(), "port from 1 to 65535", "--hub", "h:70000", "--namespaces", "apps");
        assertUsage(Map.of(), "'Apps!' is not a valid namespace name", "--hub", "h:1", "--namespaces", "Apps!");
        assertUsage(Map.of(), "CA fingerprint must look like sha256:", "--hub", "h:1", "--namespaces", "apps",
                "--join-token", "a.b", "--ca-hash", "md5:00");
        assertUsage(Map.of(), "--max-parallel-deployments must be from 1 to 64",
                "--hub", "h:1", "--namespaces", "apps", "--max-parallel-deployments", "0");
        assertUsage(Map.of(), "Unknown option", "--hub", "h:1", "--namespaces", "apps", "--bogus");
    }

    @Test
    void theNamespaceModeIsPerDeploymentWithoutNamespacesAndExistingWithThem() throws Exception {
        AgentConfig creating = parse(Map.of(), "--hub", "h:1");
        assertThat(creating.namespaceMode()).isEqualTo(AgentNamespaceMode.PER_DEPLOYMENT);
        assertThat(creating.namespaceMode().createsNamespaces()).isTrue();
        assertThat(creating.namespaces()).isEmpty();

        // As before namespace modes: --namespaces alone keeps the agent to those namespaces.
        AgentConfig existing = parse(Map.of(), "--hub", "h:1", "--namespaces", "apps");
        assertThat(existing.namespaceMode()).isEqualTo(AgentNamespaceMode.EXISTING);
        assertThat(existing.namespaceMode().createsNamespaces()).isFalse();

        AgentConfig both = parse(Map.of("OUTPOST_NAMESPACE_MODE", "Per-Deployment"), "--hub", "h:1", "--namespaces", "apps");
        assertThat(both.namespaceMode()).isEqualTo(AgentNamespaceMode.PER_DEPLOYMENT);
        assertThat(both.namespaces()).containsExactly("apps");
        assertThat(both.toString()).contains("namespace-mode=per-deployment");
    }

    @Test
    void parsesIpv6HubAddresses() {
        assertThat(HubAddress.parse("[fd00::1]:8443")).isEqualTo(new HubAddress("fd00::1", 8443));
        assertThat(HubAddress.parse("[fd00::1]:8443").toString()).isEqualTo("[fd00::1]:8443");
    }

    private static AgentConfig parse(Map<String, String> env, String... args) throws UsageException {
        Optional<AgentConfig> config = AgentCommandLine.parse(args, env);
        assertThat(config).isPresent();
        return config.get();
    }

    private static void assertUsage(Map<String, String> env, String message, String... args) {
        assertThatThrownBy(() -> AgentCommandLine.parse(args, env))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining(message);
    }
}
