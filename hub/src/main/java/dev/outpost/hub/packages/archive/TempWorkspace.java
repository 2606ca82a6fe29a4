package dev.outpost.hub.packages.archive;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A temporary directory under {@code java.io.tmpdir} that is removed, with everything in it, on close. */
public final class TempWorkspace implements AutoCloseable {
    private final Path directory;

    private TempWorkspace(Path directory) {
        this.directory = directory;
    }

    /** A fresh, empty directory named after {@code purpose}. */
    public static TempWorkspace create(String purpose) {
        try {
            return new TempWorkspace(Files.createTempDirectory("outpost-" + purpose + "-"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory", e);
        }
    }

    /** The directory. */
    public Path directory() {
        return directory;
    }

    @Override
    public void close() {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(directory)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + directory, e);
        }
    }
}
