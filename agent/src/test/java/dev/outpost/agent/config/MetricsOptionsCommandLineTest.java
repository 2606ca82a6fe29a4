package dev.outpost.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MetricsOptionsCommandLineTest {
    private static final String[] BASE = {"--hub", "hub:8443", "--namespaces", "apps"};

    @Test
    void defaultsToLoopbackPort9464AndThirtySecondSamples() throws UsageException {
        MetricsOptions metrics = parse(Map.of()).metrics();
        assertThat(metrics).isEqualTo(MetricsOptions.DEFAULTS);
        assertThat(metrics.address()).contains(new InetSocketAddress("127.0.0.1", 9464));
        assertThat(metrics.addressGiven()).isFalse();
        assertThat(metrics.sampleInterval()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void optionsEnvironmentAndOff() throws UsageException {
        MetricsOptions given = parse(Map.of(), "--metrics-address", "0.0.0.0:9100", "--metrics-sample-interval", "1m")
                .metrics();
        assertThat(given).isEqualTo(new MetricsOptions(Optional.of(new InetSocketAddress("0.0.0.0", 9100)), true,
                Duration.ofMinutes(1)));
        MetricsOptions fromEnv = parse(Map.of("OUTPOST_METRICS_ADDRESS", "off", "OUTPOST_METRICS_SAMPLE_INTERVAL", "10s"))
                .metrics();
        assertThat(fromEnv).isEqualTo(new MetricsOptions(Optional.empty(), true, Duration.ofSeconds(10)));
        assertThat(parse(Map.of(), "--metrics-address", "[::1]:0").metrics().address())
                .contains(new InetSocketAddress("::1", 0));
    }

    @Test
    void clearErrorsForBadValues() {
        assertUsage("host:port (port 0 to 65535) or off", "--metrics-address", "9464");
        assertUsage("host:port (port 0 to 65535) or off", "--metrics-address", "localhost:70000");
        assertUsage("host:port (port 0 to 65535) or off", "--metrics-address", ":9464");
        assertUsage("from 5s to 10m", "--metrics-sample-interval", "1s");
        assertUsage("from 5s to 10m", "--metrics-sample-interval", "1h");
    }

    private static void assertUsage(String message, String... args) {
        assertThatThrownBy(() -> parse(Map.of(), args)).isInstanceOf(UsageException.class).hasMessageContaining(message);
    }

    private static AgentConfig parse(Map<String, String> env, String... extra) throws UsageException {
        String[] args = java.util.Arrays.copyOf(BASE, BASE.length + extra.length);
        System.arraycopy(extra, 0, args, BASE.length, extra.length);
        return AgentCommandLine.parse(args, env).orElseThrow();
    }
}
