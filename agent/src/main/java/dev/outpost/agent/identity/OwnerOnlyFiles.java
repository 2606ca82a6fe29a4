package dev.outpost.agent.identity;

import dev.outpost.agent.state.DurableFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Owner-only folders and files in the state folder (the identity's key among them); writes are durable (DurableFiles). */
public final class OwnerOnlyFiles {
    private OwnerOnlyFiles() {
    }

    /** Creates the folder with mode 0700 when it is missing. */
    public static void createDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
    }

    /** Replaces {@code target} with {@code content} atomically and durably; the file has mode 0600. */
    public static void write(Path target, byte[] content) throws IOException {
        DurableFiles.write(target, content);
    }

    public static void write(Path target, String content) throws IOException {
        write(target, content.getBytes(StandardCharsets.UTF_8));
    }
}
