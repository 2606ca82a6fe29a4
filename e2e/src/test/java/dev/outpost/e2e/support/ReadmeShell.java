package dev.outpost.e2e.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Runs shell commands as a reader of README.md would: bash at the repository's root, with the tools
 * the README asks for, the JDK running the tests, and the jars this build packaged
 * ({@code OUTPOST_SKIP_BUILD=1}, so {@code ./dev hub} and {@code ./dev agent} start at once).
 * Whatever it leaves running is stopped by {@link #stopLeftovers()}.
 */
public final class ReadmeShell {
    /** What README's quickstart says it needs besides the JDK. */
    public static final List<String> TOOLS = List.of("bash", "curl", "jq", "openssl", "kubectl");

    private final ChildProcess process;
    private final List<ProcessHandle> seen = new ArrayList<>();

    private ReadmeShell(ChildProcess process) {
        this.process = process;
    }

    /** Starts {@code script} with bash in the repository root; {@code env} adds to the environment. */
    public static ReadmeShell start(String name, String script, Map<String, String> env, Path log) {
        List<String> missing = TOOLS.stream().filter(tool -> !onPath(tool)).toList();
        assertThat(missing).as("tools README.md's quickstart needs, missing on PATH (install them; CI does)").isEmpty();
        Map<String, String> environment = new HashMap<>(env);
        Path javaHome = Path.of(ProjectPaths.java()).getParent().getParent();
        environment.put("JAVA_HOME", javaHome.toString());
        environment.put("OUTPOST_SKIP_BUILD", "1");
        String wrapped = "cd " + quote(ProjectPaths.root().toString()) + "\n" + script;
        return new ReadmeShell(ChildProcess.start(name, List.of("bash", "-c", wrapped), environment, log));
    }

    /** The section's shell blocks, as scripts/readme-blocks.sh extracts them (what ./dev demo runs too). */
    public static String section(String section) {
        try {
            Process extract = new ProcessBuilder(ProjectPaths.root().resolve("scripts/readme-blocks.sh").toString(), section)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String blocks = new String(extract.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(extract.waitFor()).as("readme-blocks.sh " + section).isZero();
            return blocks;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public ChildProcess process() {
        return process;
    }

    /** Remembers the processes the shell has started so far, so they can be checked and stopped later. */
    public List<ProcessHandle> recordDescendants() {
        ProcessHandle.of(process.pid()).ifPresent(shell -> shell.descendants().forEach(seen::add));
        return List.copyOf(seen);
    }

    /** Those of the recorded processes that still run, as "pid command" lines. */
    public List<String> survivors() {
        return seen.stream().filter(ProcessHandle::isAlive)
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList();
    }

    /** Stops the shell and every process it started that still runs (SIGKILL). */
    public void stopLeftovers() {
        recordDescendants();
        process.close();
        seen.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    /** The end of each log in {@code dir}, for failure messages. */
    public static String logTails(Path dir) {
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".log")).sorted().map(f -> {
                try {
                    List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
                    return "--- " + f + "\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 25), lines.size()));
                } catch (IOException e) {
                    return "--- " + f + ": " + e.getMessage();
                }
            }).collect(Collectors.joining("\n"));
        } catch (IOException e) {
            return "(no logs in " + dir + ")";
        }
    }

    private static boolean onPath(String tool) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private static String quote(String text) {
        return "'" + text.replace("'", "'\\''") + "'";
    }
}
