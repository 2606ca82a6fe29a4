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
 * {@code outpost-agent pause|resume|status|approvals|approve|reject}: the customer's switch and
 * approval mode, run next to the agent (e.g. {@code kubectl exec}) on the same state directory; the
 * running agent sees them at once.
 */
@Command(name = "outpost-agent", description = "The customer's controls of a running agent.")
public final class ControlsCommandLine {
    /** The words that make the command line this one rather than the agent's. */
    public static final Set<String> VERBS = Set.of("pause", "resume", "status", "approvals", "approve", "reject");

    @Parameters(index = "0", paramLabel = "pause|resume|status|approvals|approve|reject", description = "What to do.")
    String verb;

    @Parameters(index = "1", arity = "0..1", paramLabel = "COMMAND-ID",
            description = "The held command to approve or reject (outpost-agent approvals lists them).")
    String commandId;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "The agent's state directory (env OUTPOST_STATE_DIR, default ./outpost-agent-state).")
    String stateDir;

    @Option(names = "--reason", paramLabel = "TEXT",
            description = "Why the agent is paused, or the command rejected (pause and reject; required).")
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
        ApprovalInbox approvals = new ApprovalInbox(dir);
        boolean namesCommand = options.verb.equals("approve") || options.verb.equals("reject");
        if (namesCommand != (options.commandId != null)) {
            err.println("outpost-agent: " + (namesCommand ? options.verb + " needs the COMMAND-ID (outpost-agent "
                    + "approvals lists the held ones)" : options.verb + " takes no COMMAND-ID"));
            return 2;
        }
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
                case "approvals" -> {
                    var waiting = approvals.waiting();
                    if (waiting.isEmpty()) {
                        out.println("no command waits for approval");
                    }
                    waiting.forEach(w -> out.println(w.commandId() + "  held since " + w.since() + "  " + w.summary()));
                }
                case "approve" -> {
                    approvals.approve(options.commandId);
                    out.println("approved: the agent carries out " + options.commandId + " within seconds");
                }
                case "reject" -> {
                    if (options.reason == null) {
                        err.println("outpost-agent: reject needs --reason, which the vendor sees as the command's failure");
                        return 2;
                    }
                    approvals.reject(options.commandId, options.reason);
                    out.println("rejected: the agent answers " + options.commandId + " as failed, carrying out nothing");
                }
                default -> {
                    err.println("outpost-agent: unknown control '" + options.verb
                            + "' (pause, resume, status, approvals, approve or reject)");
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
