package dev.outpost.agent.commands;

import dev.outpost.agent.identity.OwnerOnlyFiles;
import dev.outpost.protocol.v1.CommandResult;
import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The results of the last finished commands, kept on disk so that a command the hub re-sends (after
 * a reconnect or an agent restart) is answered with its stored result instead of being run again.
 * An append-only log of length-delimited CommandResults, compacted to the newest {@code keep}
 * entries when it has grown to twice that.
 */
public final class FinishedCommands {
    private static final Logger LOG = LoggerFactory.getLogger(FinishedCommands.class);

    private final Path file;
    private final int keep;
    private final LinkedHashMap<String, CommandResult> results = new LinkedHashMap<>();
    private int entriesInFile;

    public FinishedCommands(Path file, int keep) {
        this.file = file;
        this.keep = keep;
        boolean torn = load();
        if (torn || entriesInFile > results.size()) {
            compact();
        }
    }

    /** The stored result of a finished command. */
    public synchronized Optional<CommandResult> get(String commandId) {
        return Optional.ofNullable(results.get(commandId));
    }

    /** Stores a result durably (flushed to disk) before it is reported. */
    public synchronized void record(CommandResult result) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            result.writeDelimitedTo(bytes);
            try (FileOutputStream out = new FileOutputStream(file.toFile(), true)) {
                out.write(bytes.toByteArray());
                out.getFD().sync();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store the result of command " + result.getCommandId(), e);
        }
        remember(result);
        entriesInFile++;
        if (entriesInFile >= 2 * keep) {
            compact();
        }
    }

    private boolean load() {
        if (!Files.exists(file)) {
            return false;
        }
        try (InputStream in = Files.newInputStream(file)) {
            while (true) {
                CommandResult result = CommandResult.parseDelimitedFrom(in);
                if (result == null) {
                    return false;
                }
                remember(result);
                entriesInFile++;
            }
        } catch (IOException e) {
            // A crash while appending leaves a torn last record; everything before it is intact.
            LOG.warn("Ignoring a damaged tail of {} ({}); kept {} results", file, e.getMessage(), results.size());
            return true;
        }
    }

    private void remember(CommandResult result) {
        results.remove(result.getCommandId());
        results.put(result.getCommandId(), result);
        while (results.size() > keep) {
            String oldest = results.keySet().iterator().next();
            results.remove(oldest);
        }
    }

    private void compact() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            for (Map.Entry<String, CommandResult> entry : results.entrySet()) {
                entry.getValue().writeDelimitedTo(bytes);
            }
            OwnerOnlyFiles.write(file, bytes.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot compact " + file, e);
        }
        entriesInFile = results.size();
    }
}
