package dev.outpost.agent.ledger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.protocol.chain.HashChain;
import dev.outpost.protocol.v1.ApplyDeployment;
import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.CommandResult;
import dev.outpost.protocol.v1.Step;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The customer's own record of every command the hub sent and what it did, kept by the agent without
 * the hub: an append-only file of JSON lines in the state directory, each fsynced and hash chained
 * ({@link HashChain}), so an edited or removed line is found by {@link #verify()}. Parameter values
 * are never written (they may be secrets), only their names.
 */
public final class CommandLedger {
    private static final Logger LOG = LoggerFactory.getLogger(CommandLedger.class);
    /** Longest detail kept; a command's steps can say a lot, the ledger stays readable. */
    static final int MAX_DETAIL_CHARS = 4000;
    /** How much of the file's end a start reads: room for two whole lines, each escaped at its worst. */
    static final int TAIL_BYTES = 128 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    private final Path file;
    private final Clock clock;
    private long lastSeq;
    private String lastHash = HashChain.GENESIS;

    private CommandLedger(Path file, Clock clock) {
        this.file = file;
        this.clock = clock;
    }

    /**
     * Opens the ledger at {@code file}, continuing its chain. A last line cut short by a crash while it
     * was written (it was never complete, so nothing relied on it) is removed, with a warning.
     */
    public static CommandLedger open(Path file, Clock clock) throws IOException {
        CommandLedger ledger = new CommandLedger(file, clock);
        ledger.continueChain();
        return ledger;
    }

    /** Records a command as it arrives, before anything of it is carried out. */
    public void received(Command command) {
        append("received", command, asked(command));
    }

    /** Records that the customer's approval mode holds a command: nothing of it is carried out yet. */
    public void held(Command command) {
        append("held", command, asked(command));
    }

    /** Records that the customer approved a held command, which is carried out next. */
    public void approved(Command command, String detail) {
        append("approved", command, detail);
    }

    /** Records what a command finished with. */
    public void finished(Command command, CommandResult result) {
        append("finished", command, outcome(result));
    }

    /** Every line as stored, oldest first (lines that do not parse are left out, and make {@link #verify()} fail). */
    public List<LedgerEntry> entries() throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return reader.lines().map(CommandLedger::parse).flatMap(Optional::stream).toList();
        }
    }

    /**
     * Checks the whole file: every line parses, is numbered in order, links to the one before it and
     * matches its hash, and the last one is the last this process wrote (nothing cut off meanwhile).
     */
    public synchronized HashChain.Verdict verify() throws IOException {
        HashChain.Verifier verifier = new HashChain.Verifier();
        long line = 0;
        if (Files.exists(file)) {
            try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                for (String text = reader.readLine(); text != null; text = reader.readLine()) {
                    line++;
                    Optional<LedgerEntry> entry = parse(text);
                    if (entry.isEmpty()) {
                        return new HashChain.Verdict(false, line - 1, line, "line " + line + " is not a ledger entry");
                    }
                    Optional<HashChain.Verdict> broken = verifier.accept(entry.get());
                    if (broken.isPresent()) {
                        return broken.get();
                    }
                }
            }
        }
        return verifier.finish(lastSeq, lastHash);
    }

    /** The path of the file, for messages. */
    public Path file() {
        return file;
    }

    private synchronized void append(String event, Command command, String detail) {
        LedgerEntry unsealed = new LedgerEntry(lastSeq + 1, clock.instant().truncatedTo(ChronoUnit.MILLIS).toString(),
                event, command.getCommandId(), command.getDeploymentId(), command.getGeneration(), action(command),
                bounded(detail), lastHash, null);
        LedgerEntry entry = unsealed.withHash(HashChain.hash(unsealed));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            channel.write(ByteBuffer.wrap((JSON.writeValueAsString(entry) + "\n").getBytes(StandardCharsets.UTF_8)));
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the command ledger " + file, e);
        }
        lastSeq = entry.seq();
        lastHash = entry.hash();
    }

    /**
     * Reads the last entry from the file's tail only (the ledger grows with every command; a start
     * need not read it all), cutting off a last line that a crash left short.
     */
    private void continueChain() throws IOException {
        if (!Files.exists(file) || Files.size(file) == 0) {
            return;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = channel.size();
            int window = (int) Math.min(size, TAIL_BYTES);
            ByteBuffer buffer = ByteBuffer.allocate(window);
            while (buffer.hasRemaining() && channel.read(buffer, size - window + buffer.position()) >= 0) {
                // read until the window is full
            }
            byte[] tail = buffer.array();
            int end = window;
            if (tail[end - 1] != '\n') {
                int lastNewline = lastIndexOf(tail, end - 1);
                if (lastNewline < 0 && window < size) {
                    throw new IOException("the command ledger " + file + " ends in a line longer than " + TAIL_BYTES
                            + " bytes: move the file aside to start a new ledger");
                }
                LOG.warn("The command ledger {} ends in a line cut short (a crash while it was written); removing its {} "
                        + "bytes", file, end - lastNewline - 1);
                channel.truncate(size - window + lastNewline + 1);
                channel.force(true);
                end = lastNewline + 1;
            }
            if (end == 0) {
                return;
            }
            int start = lastIndexOf(tail, end - 2) + 1;
            String last = new String(tail, start, end - 1 - start, StandardCharsets.UTF_8);
            LedgerEntry entry = parse(last).orElseThrow(() -> new IOException("the last line of the command ledger "
                    + file + " is not a ledger entry: move the file aside to start a new ledger"));
            lastSeq = entry.seq();
            lastHash = entry.hash();
        }
    }

    /** Index of the last '\n' at or before {@code from}, or -1. */
    private static int lastIndexOf(byte[] bytes, int from) {
        for (int i = from; i >= 0; i--) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static Optional<LedgerEntry> parse(String line) {
        try {
            return Optional.of(JSON.readValue(line, LedgerEntry.class));
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    private static String action(Command command) {
        return switch (command.getActionCase()) {
            case APPLY -> "apply";
            case DELETE -> "delete";
            case ACTION_NOT_SET -> "none";
        };
    }

    /** What {@code command} asks for, in words: release, namespace and parameter names (never values). */
    public static String asked(Command command) {
        return switch (command.getActionCase()) {
            case APPLY -> {
                ApplyDeployment apply = command.getApply();
                String what = "release " + apply.getRelease().getServiceName() + " " + apply.getRelease().getVersion()
                        + (apply.hasPlan() ? " (" + apply.getPlan().getStepsCount() + " plan steps)" : "");
                yield what + " into namespace " + apply.getNamespace() + "; parameters "
                        + (apply.getParametersCount() == 0 ? "none"
                                : String.join(", ", new TreeSet<>(apply.getParametersMap().keySet())) + " (values not recorded)");
            }
            case DELETE -> "delete from namespace " + command.getDelete().getNamespace();
            case ACTION_NOT_SET -> "neither apply nor delete";
        };
    }

    private static String outcome(CommandResult result) {
        String outcome = switch (result.getOutcome()) {
            case OUTCOME_SUCCEEDED -> "succeeded";
            case OUTCOME_FAILED -> "failed" + (result.getFailedStep().isEmpty() ? "" : " at " + result.getFailedStep())
                    + ": " + result.getFailureReason();
            default -> result.getOutcome().name().toLowerCase(Locale.ROOT);
        };
        String steps = result.getStepsList().stream().map(CommandLedger::step).collect(Collectors.joining("; "));
        return steps.isEmpty() ? outcome : outcome + "; steps: " + steps;
    }

    private static String step(Step step) {
        String state = step.getState().name().replace("STEP_STATE_", "").toLowerCase(Locale.ROOT);
        return step.getName() + " " + state + (step.getMessage().isEmpty() ? "" : " (" + step.getMessage() + ")");
    }

    private static String bounded(String detail) {
        return detail.length() <= MAX_DETAIL_CHARS ? detail
                : detail.substring(0, MAX_DETAIL_CHARS - 30) + "… (" + detail.length() + " characters)";
    }
}
