package dev.outpost.agent.controls;

import dev.outpost.protocol.FieldLimits;
import dev.outpost.protocol.text.FreeText;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The customer's approval mode on disk, shared by the running agent and {@code outpost-agent
 * approvals|approve|reject} run next to it: {@code <state-dir>/approvals/<command-id>.waiting} says
 * what a held command asks (written by the agent), {@code .approved} or {@code .rejected} (with the
 * reason) is the customer's decision. Files are written atomically, so neither side reads half of one.
 */
public final class ApprovalInbox {
    /** The directory under the state directory. */
    public static final String DIR = "approvals";
    /** Longest rejection reason kept, so it fits the hub's failure reasons. */
    public static final int MAX_REASON_CHARS = 200;
    /** What a command id may look like to be held: it becomes a file name. */
    private static final Pattern COMMAND_ID = Pattern.compile("[A-Za-z0-9_-]{1," + FieldLimits.ID_CHARS + "}");
    private static final String WAITING = ".waiting";
    private static final String APPROVED = ".approved";
    private static final String REJECTED = ".rejected";

    private final Path dir;

    public ApprovalInbox(Path stateDir) {
        this.dir = stateDir.resolve(DIR);
    }

    /** A command the agent holds, as the customer sees it. */
    public record Waiting(String commandId, String summary, Instant since) {
    }

    /** The customer's answer to a held command: approved, or rejected with a reason. */
    public record Decision(boolean approved, String reason, Instant at) {
    }

    /** Whether {@code commandId} can be held (a file name can be made of it). */
    public static boolean holdable(String commandId) {
        return COMMAND_ID.matcher(commandId).matches();
    }

    /** Agent: records that {@code commandId} waits for the customer, with what it asks (one line). */
    public void waiting(String commandId, String summary) {
        requireHoldable(commandId);
        try {
            Files.createDirectories(dir);
            write(dir.resolve(commandId + WAITING), FreeText.forLog(summary));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(commandId + WAITING), e);
        }
    }

    /** Agent: the customer's decision on {@code commandId}, once there is one. */
    public Optional<Decision> decision(String commandId) {
        requireHoldable(commandId);
        Path approved = dir.resolve(commandId + APPROVED);
        Path rejected = dir.resolve(commandId + REJECTED);
        try {
            // A rejection wins over an approval written by a second, confused call.
            if (Files.exists(rejected)) {
                return Optional.of(new Decision(false, Files.readString(rejected, StandardCharsets.UTF_8).strip(),
                        Files.getLastModifiedTime(rejected).toInstant()));
            }
            if (Files.exists(approved)) {
                return Optional.of(new Decision(true, "", Files.getLastModifiedTime(approved).toInstant()));
            }
            return Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty(); // removed between the check and the read: asked again next time
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the decision on " + commandId + " in " + dir, e);
        }
    }

    /** Agent: the command is no longer held (decided, withdrawn or finished): its files go. */
    public void forget(String commandId) {
        if (!holdable(commandId)) {
            return;
        }
        for (String suffix : List.of(WAITING, APPROVED, REJECTED)) {
            try {
                Files.deleteIfExists(dir.resolve(commandId + suffix));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove " + dir.resolve(commandId + suffix), e);
            }
        }
    }

    /** Customer: the commands waiting for a decision, oldest first. */
    public List<Waiting> waiting() {
        List<Waiting> waiting = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return waiting;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + WAITING)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                String commandId = name.substring(0, name.length() - WAITING.length());
                if (holdable(commandId) && decision(commandId).isEmpty()) {
                    waiting.add(new Waiting(commandId, Files.readString(file, StandardCharsets.UTF_8).strip(),
                            Files.getLastModifiedTime(file).toInstant()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        waiting.sort(Comparator.comparing(Waiting::since).thenComparing(Waiting::commandId));
        return waiting;
    }

    /** Customer: lets the agent carry out {@code commandId}. */
    public void approve(String commandId) {
        decide(commandId, APPROVED, "approved");
    }

    /** Customer: the agent answers {@code commandId} as failed with {@code reason}, carrying out nothing. */
    public void reject(String commandId, String reason) {
        Optional<String> problem = FreeText.problem(reason, MAX_REASON_CHARS);
        if (problem.isPresent()) {
            throw new IllegalArgumentException("--reason " + problem.get());
        }
        decide(commandId, REJECTED, FreeText.normalize(reason));
    }

    private void decide(String commandId, String suffix, String content) {
        if (!holdable(commandId) || !Files.exists(dir.resolve(commandId + WAITING))) {
            throw new IllegalArgumentException("no command '" + FreeText.forLog(commandId)
                    + "' waits for approval (outpost-agent approvals lists those that do)");
        }
        if (decision(commandId).isPresent()) {
            throw new IllegalArgumentException("command " + commandId + " is decided already");
        }
        try {
            write(dir.resolve(commandId + suffix), content);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(commandId + suffix), e);
        }
    }

    private static void write(Path file, String content) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temporary, content, StandardCharsets.UTF_8);
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void requireHoldable(String commandId) {
        if (!holdable(commandId)) {
            throw new IllegalArgumentException("command id '" + FreeText.forLog(commandId) + "' cannot be held");
        }
    }
}
