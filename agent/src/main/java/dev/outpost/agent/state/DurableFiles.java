package dev.outpost.agent.state;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;

/**
 * Crash-safe files in the state folder. A write goes to a temp file created with mode 0600 (so a
 * key is never readable by others, not even for a moment), is fsynced, renamed over the target,
 * and the folder is fsynced: after a crash the target holds the old bytes or the new, never part,
 * and a write that returned survives a power loss. Reads are bounded in size.
 */
public final class DurableFiles {
    /** Suffix of files being written; one left behind by a crash is never read. */
    public static final String TEMP_SUFFIX = ".tmp";

    private DurableFiles() {
    }

    /** Replaces {@code target} with {@code bytes}, atomically and durably; the file has mode 0600. */
    public static void write(Path target, byte[] bytes) throws IOException {
        // A unique temp name: two writers of one target never share a temp file.
        Path temp = Files.createTempFile(target.getParent(), target.getFileName().toString(), TEMP_SUFFIX,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                writeFully(channel, bytes);
                channel.force(true); // on disk before the rename makes it visible
            }
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
        syncDirectory(target.getParent());
    }

    /** Appends {@code bytes} to {@code file} (created when missing) and forces them to disk. */
    public static void append(Path file, byte[] bytes) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            writeFully(channel, bytes);
            channel.force(true);
        }
    }

    /** Makes a rename, a new file or a deletion in {@code dir} durable (on Linux a folder can be fsynced). */
    public static void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some platforms cannot open a folder for reading; the rename is then as durable as they make it.
            if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux") || !Files.isDirectory(dir)) {
                throw e;
            }
        }
    }

    /** The file's bytes; IOException when it is bigger than {@code maxBytes} (never read into memory whole). */
    public static byte[] readBounded(Path file, int maxBytes) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(maxBytes + 1);
            if (bytes.length > maxBytes) {
                throw new IOException(file + " is larger than " + maxBytes + " bytes");
            }
            return bytes;
        }
    }

    private static void writeFully(FileChannel channel, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }
}
