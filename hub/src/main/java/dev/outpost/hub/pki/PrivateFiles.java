package dev.outpost.hub.pki;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Writes PKI files atomically (temp file + rename), keys readable by the owner only. */
final class PrivateFiles {
    private PrivateFiles() {
    }

    /** Writes a secret with mode 0600 from the moment the file exists. */
    static void writeSecret(Path target, String content) {
        write(target, content, PosixFilePermissions.asFileAttribute(
                Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)));
    }

    /** Writes a public file (certificates) with the default mode. */
    static void writePublic(Path target, String content) {
        write(target, content, null);
    }

    /** Creates a folder readable by the owner only, if it is missing. */
    static void createPrivateDirectory(Path dir) {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    private static void write(Path target, String content, FileAttribute<?> mode) {
        Path temp = target.resolveSibling(target.getFileName() + ".tmp");
        try {
            Files.deleteIfExists(temp);
            if (mode == null) {
                Files.createFile(temp);
            } else {
                Files.createFile(temp, mode);
            }
            Files.writeString(temp, content, StandardCharsets.US_ASCII);
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }
}
