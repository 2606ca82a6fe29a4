package dev.outpost.agent.controls;

import dev.outpost.protocol.text.FreeText;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Optional;

/**
 * The customer's break-glass switch: while {@code <state-dir>/paused} exists, the agent applies
 * nothing (commands are refused with the customer's reason, drift is reported but not healed) and
 * keeps reporting. Read on every use, so {@code outpost-agent pause} and {@code resume} take effect
 * without a restart.
 */
public final class PauseSwitch {
    /** The file that holds the reason while the agent is paused. */
    public static final String FILE = "paused";
    /** Longest reason kept, so it fits the hub's failure reasons and conditions. */
    public static final int MAX_REASON_CHARS = 200;

    private final Path file;

    public PauseSwitch(Path stateDir) {
        this.file = stateDir.resolve(FILE);
    }

    /** What the agent is paused for, and since when; empty while it is not paused. */
    public Optional<Pause> current() {
        try {
            String reason = Files.readString(file, StandardCharsets.UTF_8);
            Instant since = Files.getLastModifiedTime(file).toInstant();
            // Shown escaped: the file may have been written by hand, with anything in it.
            String shown = FreeText.forLog(reason.strip());
            return Optional.of(new Pause(shown.isEmpty() ? "no reason given" : shown, since));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            // A switch that cannot be read is not taken for "off": the customer meant to stop the agent.
            return Optional.of(new Pause("the pause switch " + file + " cannot be read (" + e.getMessage() + ")",
                    Instant.now()));
        }
    }

    /**
     * Pauses the agent for {@code reason}, one line of at most {@link #MAX_REASON_CHARS} characters
     * (written atomically: a reader never sees half of it).
     *
     * @throws IllegalArgumentException naming what is wrong with the reason
     */
    public void pause(String reason) {
        Optional<String> problem = FreeText.problem(reason, MAX_REASON_CHARS);
        if (problem.isPresent()) {
            throw new IllegalArgumentException("--reason " + problem.get());
        }
        String shown = FreeText.normalize(reason);
        try {
            Path temporary = file.resolveSibling(FILE + ".tmp");
            Files.writeString(temporary, shown, StandardCharsets.UTF_8);
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the pause switch " + file, e);
        }
    }

    /** Lets the agent apply again; true if it was paused. */
    public boolean resume() {
        try {
            return Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the pause switch " + file, e);
        }
    }

    /** A pause in force: the customer's reason and when it began. */
    public record Pause(String reason, Instant since) {
        /** The refusal the hub shows for a command sent meanwhile. */
        public String refusal() {
            return "refused: the customer paused this agent on " + since + " (" + reason + "); it applies nothing "
                    + "until they resume it (outpost-agent resume)";
        }
    }
}
