package dev.outpost.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UsageOptionsCommandLineTest {
    private static final String[] BASE = {"--hub", "hub:8443", "--namespaces", "apps"};

    @Test
    void defaultsAreSixtySecondWindowsAnHourOfCatchUpA64MibSpoolAndNoJournal() throws UsageException {
        assertThat(parse(Map.of()).usage()).isEqualTo(UsageOptions.DEFAULTS);
        assertThat(UsageOptions.DEFAULTS).isEqualTo(new UsageOptions(Duration.ofSeconds(60), Duration.ofHours(1),
                64L * 1024 * 1024, Optional.empty()));
    }

    @Test
    void optionsAndEnvironment() throws UsageException {
        UsageOptions usage = parse(Map.of(), "--usage-interval", "5m", "--usage-catch-up", "0",
                "--usage-spool-max-bytes", "2097152", "--usage-journal", "/var/log/usage.journal").usage();
        assertThat(usage).isEqualTo(new UsageOptions(Duration.ofMinutes(5), Duration.ZERO, 2097152,
                Optional.of(Path.of("/var/log/usage.journal"))));
        UsageOptions fromEnv = parse(Map.of("OUTPOST_USAGE_INTERVAL", "15s", "OUTPOST_USAGE_CATCH_UP", "2h",
                "OUTPOST_USAGE_SPOOL_MAX_BYTES", "1048576", "OUTPOST_USAGE_JOURNAL", "j.log")).usage();
        assertThat(fromEnv).isEqualTo(new UsageOptions(Duration.ofSeconds(15), Duration.ofHours(2), 1048576,
                Optional.of(Path.of("j.log"))));
    }

    @Test
    void clearErrorsForBadValues() {
        assertUsage("divide 1 hour evenly", "--usage-interval", "7s");
        assertUsage("from 1s to 1h", "--usage-interval", "2h");
        assertUsage("from 1s to 1h", "--usage-interval", "500ms");
        assertUsage("a duration such as", "--usage-interval", "one minute");
        assertUsage("needs a unit", "--usage-interval", "60");
        assertUsage("from 0 to 24h", "--usage-catch-up", "25h");
        assertUsage("at least 1048576", "--usage-spool-max-bytes", "1000");
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
