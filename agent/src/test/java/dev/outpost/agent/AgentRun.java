package dev.outpost.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * One run of the agent's main logic with a join token, as a first start: its exit code, what it
 * printed on stderr (log lines included) and how long it took. The hub address is never reached: these
 * runs are about what happens before the token would be sent.
 */
public record AgentRun(int exitCode, String stderr, long millis, Path stateDir) {
    /** A CA fingerprint of the right form; no hub is contacted. */
    private static final String SOME_CA = "sha256:" + "ab".repeat(32);

    /** Runs the agent with {@code kubeconfig} for {@code namespaces} (comma-separated), state under {@code dir}. */
    public static AgentRun start(Path dir, Path kubeconfig, String namespaces) {
        return start(dir, kubeconfig, "--namespaces", namespaces);
    }

    /** Runs the agent with {@code kubeconfig} and the namespace options {@code namespaceArgs}, state under {@code dir}. */
    public static AgentRun start(Path dir, Path kubeconfig, String... namespaceArgs) {
        Path stateDir = dir.resolve("state-" + System.nanoTime());
        PrintStream original = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        long started = System.nanoTime();
        int code;
        try {
            String[] common = {"--hub", "127.0.0.1:1", "--ca-hash", SOME_CA, "--state-dir", stateDir.toString(),
                "--kubeconfig", kubeconfig.toString()};
            String[] args = java.util.Arrays.copyOf(common, common.length + namespaceArgs.length);
            System.arraycopy(namespaceArgs, 0, args, common.length, namespaceArgs.length);
            code = Main.run(args, Map.of("OUTPOST_JOIN_TOKEN", "jt_test.secret"));
        } finally {
            System.setErr(original);
        }
        AgentRun run = new AgentRun(code, err.toString(StandardCharsets.UTF_8),
                Duration.ofNanos(System.nanoTime() - started).toMillis(), stateDir);
        original.print(run.stderr());
        // Whatever went wrong, it is said in words: never a stack trace.
        assertThat(run.stderr()).doesNotContain("\tat ").doesNotContain("Caused by");
        return run;
    }

    /** Whether the agent stored an identity (it enrolled). */
    public boolean enrolled() {
        return Files.exists(stateDir.resolve("identity.json"));
    }
}
