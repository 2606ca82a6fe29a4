package dev.outpost.agent.controls;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code outpost-agent pause|resume|status}: the customer's switch, run next to the agent (e.g.
 * {@code kubectl exec}) on the same state directory; the running agent sees it at once.
 */
@Command(name = "outpost-agent", description = "The customer's controls of a running agent.")
public final class ControlsCommandLine {
    /** The words that make the command line this one rather than the agent's. */
    public static final Set<String> VERBS = Set.of("pause", "resume", "status");

    @Parameters(index = "0", paramLabel = "pause|resume|status", description = "What to do.")
    String verb;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "The agent's state directory (env OUTPOST_STATE_DIR, default ./outpost-agent-state).")
    String stateDir;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why the agent is paused (pause only; required).")
    String reason;

    /** Runs the command line; answers the exit code (0 done, 1 failed, 2 usage). */
    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        ControlsCommandLine options = new ControlsCommandLine();
        try {
            new CommandLine(options).parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            err.println("outpost-agent: " + e.getMessage());
            return 2;
        }
        Path dir = Path.of(Optional.ofNullable(options.stateDir)
                .or(() -> Optional.ofNullable(env.get("OUTPOST_STATE_DIR")).filter(d -> !d.isBlank()))
                .orElse("./outpost-agent-state"));
        if (!Files.isDirectory(dir)) {
            err.println("outpost-agent: " + dir + " is not the agent's state directory (give --state-dir)");
            return 2;
        }
        PauseSwitch pause = new PauseSwitch(dir);
        try {
            switch (options.verb) {
                case "pause" -> {
                    if (options.reason == null) {
                        err.println("outpost-agent: pause needs --reason, which the vendor sees with every refusal");
                        return 2;
                    }
                    pause.pause(options.reason);
                    out.println("paused: the agent applies nothing until `outpost-agent resume`");
                }
                case "resume" -> out.println(pause.resume() ? "resumed: the agent applies commands again"
                        : "the agent was not paused");
                case "status" -> out.println(pause.current().map(p -> "paused since " + p.since() + ": " + p.reason())
                        .orElse("not paused"));
                default -> {
                    err.println("outpost-agent: unknown control '" + options.verb + "' (pause, resume or status)");
                    return 2;
                }
            }
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("outpost-agent: " + e.getMessage());
            return 2;
        } catch (UncheckedIOException e) {
            err.println("outpost-agent: " + e.getMessage() + ": " + e.getCause().getMessage());
            return 1;
        }
    }
}
