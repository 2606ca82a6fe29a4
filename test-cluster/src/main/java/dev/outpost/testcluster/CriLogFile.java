package dev.outpost.testcluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * Appends lines to a container log file in the CRI format kwok serves logs from
 * ({@code <RFC 3339 time> <stream> F <text>}): kwok, like the kubelet, rejects a file of plain lines.
 */
public final class CriLogFile {

    private CriLogFile() {
    }

    /** Appends {@code lines} as stdout lines stamped now; creates the file if needed; returns {@code file}. */
    public static Path appendStdout(Path file, String... lines) {
        return append(file, "stdout", lines);
    }

    /** Appends {@code lines} on {@code stream} ({@code stdout} or {@code stderr}), each stamped now. */
    public static Path append(Path file, String stream, String... lines) {
        StringBuilder out = new StringBuilder();
        for (String line : lines) {
            if (line.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("one line at a time: " + line);
            }
            // "F": a full line (a "P" partial would be joined with the next one).
            out.append(Instant.now()).append(' ').append(stream).append(" F ").append(line).append('\n');
        }
        try {
            // One write per call, so a follower never reads half a line of a single call.
            Files.writeString(file, out, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file, e);
        }
    }
}
