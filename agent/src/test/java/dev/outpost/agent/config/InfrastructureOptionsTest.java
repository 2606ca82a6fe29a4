package dev.outpost.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** --infrastructure-provider and --test-infrastructure-file. */
class InfrastructureOptionsTest {

    @Test
    void noProviderUnlessOneIsChosen() throws Exception {
        AgentConfig config = parse(Map.of());

        assertThat(config.testInfrastructureFile()).isEmpty();
        assertThat(config.toString()).contains("infrastructure-provider=none");
    }

    @Test
    void theTestProviderTakesItsFileFromAFlagOrTheEnvironment() throws Exception {
        assertThat(parse(Map.of(), "--infrastructure-provider", "test", "--test-infrastructure-file", "/tmp/infra.yaml")
                .testInfrastructureFile()).contains(Path.of("/tmp/infra.yaml"));
        assertThat(parse(Map.of("OUTPOST_INFRASTRUCTURE_PROVIDER", "test", "OUTPOST_TEST_INFRASTRUCTURE_FILE", "/x.yaml"))
                .testInfrastructureFile()).contains(Path.of("/x.yaml"));
    }

    @Test
    void refusesAnUnknownProviderAndAFileWithoutTheTestProvider() {
        assertThatThrownBy(() -> parse(Map.of(), "--infrastructure-provider", "aws"))
                .isInstanceOf(UsageException.class).hasMessage("--infrastructure-provider must be none or test, got 'aws'");
        assertThatThrownBy(() -> parse(Map.of(), "--infrastructure-provider", "test"))
                .isInstanceOf(UsageException.class).hasMessage("--infrastructure-provider test needs --test-infrastructure-file");
        assertThatThrownBy(() -> parse(Map.of(), "--test-infrastructure-file", "/tmp/infra.yaml"))
                .isInstanceOf(UsageException.class).hasMessage("--test-infrastructure-file needs --infrastructure-provider test");
    }

    private static AgentConfig parse(Map<String, String> env, String... more) throws UsageException {
        String[] args = new String[more.length + 4];
        args[0] = "--hub";
        args[1] = "hub.example.com:8443";
        args[2] = "--namespaces";
        args[3] = "apps";
        System.arraycopy(more, 0, args, 4, more.length);
        return AgentCommandLine.parse(args, env).orElseThrow();
    }
}
