package dev.outpost.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LogOptionsCommandLineTest {
    private static final String[] BASE = {"--hub", "hub:8443", "--namespaces", "apps"};

    @Test
    void defaultsAreOnAn8MibBufferNoPatternsAnd500Sources() throws UsageException {
        LogOptions logs = parse(Map.of()).logs();
        assertThat(logs.enabled()).isTrue();
        assertThat(logs.bufferMaxBytes()).isEqualTo(8L * 1024 * 1024);
        assertThat(logs.maskPatterns()).isEmpty();
        assertThat(logs.maxSources()).isEqualTo(500);
    }

    @Test
    void optionsAndEnvironment() throws UsageException {
        LogOptions logs = parse(Map.of(), "--logs", "off", "--log-buffer-max-bytes", "2097152",
                "--log-mask-pattern", "token=\\S+", "--log-mask-pattern", "Bearer [A-Za-z0-9.]+",
                "--log-max-sources", "20").logs();
        assertThat(logs.enabled()).isFalse();
        assertThat(logs.bufferMaxBytes()).isEqualTo(2097152);
        assertThat(logs.patternTexts()).containsExactly("token=\\S+", "Bearer [A-Za-z0-9.]+");
        assertThat(logs.maxSources()).isEqualTo(20);

        LogOptions fromEnv = parse(Map.of("OUTPOST_LOGS", "on", "OUTPOST_LOG_BUFFER_MAX_BYTES", "1048576",
                "OUTPOST_LOG_MASK_PATTERNS", "password=\\S+\nkey-[0-9]+\n", "OUTPOST_LOG_MAX_SOURCES", "7")).logs();
        assertThat(fromEnv.enabled()).isTrue();
        assertThat(fromEnv.bufferMaxBytes()).isEqualTo(1048576);
        assertThat(fromEnv.patternTexts()).containsExactly("password=\\S+", "key-[0-9]+");
        assertThat(fromEnv.maxSources()).isEqualTo(7);
    }

    @Test
    void theConfigurationShownAtStartCountsPatternsButDoesNotQuoteThem() throws UsageException {
        AgentConfig config = parse(Map.of(), "--log-mask-pattern", "hunter2-[0-9]+");
        assertThat(config.toString()).contains("logs=on", "log-mask-patterns=1").doesNotContain("hunter2");
    }

    @Test
    void clearErrorsForBadValues() {
        assertUsage("--logs must be on or off", "--logs", "maybe");
        assertUsage("at least 1048576", "--log-buffer-max-bytes", "1000");
        assertUsage("from 1 to 10000", "--log-max-sources", "0");
        assertUsage("not a valid regular expression", "--log-mask-pattern", "(unclosed");
        assertUsage("matches the empty text", "--log-mask-pattern", "x*");
        assertThatThrownBy(() -> AgentCommandLine.parse(BASE, Map.of("OUTPOST_LOG_MAX_SOURCES", "many")))
                .isInstanceOf(UsageException.class).hasMessageContaining("OUTPOST_LOG_MAX_SOURCES must be a number");
    }

    private static AgentConfig parse(Map<String, String> env, String... more) throws UsageException {
        return AgentCommandLine.parse(args(more), env).orElseThrow();
    }

    private static void assertUsage(String message, String... more) {
        assertThatThrownBy(() -> AgentCommandLine.parse(args(more), Map.of()))
                .isInstanceOf(UsageException.class).hasMessageContaining(message);
    }

    private static String[] args(String... more) {
        String[] all = new String[BASE.length + more.length];
        System.arraycopy(BASE, 0, all, 0, BASE.length);
        System.arraycopy(more, 0, all, BASE.length, more.length);
        return all;
    }
}
