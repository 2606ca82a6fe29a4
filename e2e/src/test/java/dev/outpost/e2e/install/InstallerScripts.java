package dev.outpost.e2e.install;

import dev.outpost.e2e.support.Cleanup;
import dev.outpost.e2e.support.ProjectPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the scripts of installer-scripts/ as a user would: bash, a kubeconfig, output and exit code. */
final class InstallerScripts {
    static final Path DIR = ProjectPaths.root().resolve("installer-scripts");
    private static final Duration LIMIT = Duration.ofMinutes(3);

    /** How a script ended: its exit code and everything it printed (stdout and stderr together). */
    record Run(int exit, String output) {
    }

    private InstallerScripts() {
    }

    /** Runs {@code script} to its end (at most 3 minutes); {@code secret} is masked in what the test prints. */
    static Run run(Path kubeconfig, String script, List<String> args, Path work, Cleanup cleanup, String secret) {
        Path log = work.resolve(script + "-" + System.nanoTime() + ".log");
        Process process = start(kubeconfig, script, args, Map.of(), log, cleanup);
        try {
            if (!process.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(script + " did not finish within " + LIMIT + ":\n" + Files.readString(log));
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            String shown = String.join(" ", args);
            System.out.printf("[install-it] %s %s -> exit %d%n%s%n", script,
                    secret.isEmpty() ? shown : shown.replace(secret, "****"), process.exitValue(), output);
            return new Run(process.exitValue(), output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Starts {@code script} with {@code KUBECONFIG}, no tokens from the test's environment, plus {@code env}. */
    static Process start(Path kubeconfig, String script, List<String> args, Map<String, String> env, Path log,
            Cleanup cleanup) {
        List<String> command = new ArrayList<>(List.of("bash", DIR.resolve(script).toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("KUBECONFIG", kubeconfig.toString());
        builder.environment().remove("OUTPOST_JOIN_TOKEN");
        builder.environment().remove("OUTPOST_API_TOKEN");
        builder.environment().putAll(env);
        try {
            Process process = builder.start();
            cleanup.track(() -> process.destroyForcibly());
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
