package dev.outpost.hub.packages.archive;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * Packs a package directory into a deterministic {@code .tgz}: entries sorted by path, no timestamps,
 * owners or permissions beyond 0644/0755, so the same directory always gives the same bytes (and the
 * same content hash). Used for directory uploads and by tests.
 */
public final class PackageArchiver {
    private static final int BLOCK = 512;

    private PackageArchiver() {
    }

    /**
     * The directory's files and directories, relative to it (outpost.yaml ends up at the archive's
     * root), as a gzip'ed tar.
     *
     * @throws IOException when the directory cannot be read or holds a link or special file
     */
    public static byte[] pack(Path directory) throws IOException {
        List<Path> paths = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(directory)) {
            walk.filter(p -> !p.equals(directory)).forEach(paths::add);
        }
        List<String> names = new ArrayList<>();
        for (Path p : paths) {
            names.add(directory.relativize(p).toString().replace('\\', '/'));
        }
        names.sort(null);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            for (String name : names) {
                Path p = directory.resolve(name);
                if (Files.isSymbolicLink(p)) {
                    throw new IOException(name + " is a symbolic link; pack the file it points to instead");
                }
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    writeEntry(gzip, name + "/", '5', 0755, new byte[0]);
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    writeEntry(gzip, name, '0', 0644, Files.readAllBytes(p));
                } else {
                    throw new IOException(name + " is neither a file nor a directory");
                }
            }
            gzip.write(new byte[2 * BLOCK]);
        }
        return bytes.toByteArray();
    }

    private static void writeEntry(OutputStream out, String name, char type, int mode, byte[] content)
            throws IOException {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        if (nameBytes.length > 100) {
            // GNU long name: a preceding 'L' entry carries the full path.
            byte[] longName = new byte[nameBytes.length + 1];
            System.arraycopy(nameBytes, 0, longName, 0, nameBytes.length);
            out.write(header("././@LongLink".getBytes(StandardCharsets.US_ASCII), 'L', 0644, longName.length));
            out.write(longName);
            out.write(new byte[padding(longName.length)]);
            byte[] truncated = new byte[100];
            System.arraycopy(nameBytes, 0, truncated, 0, 100);
            nameBytes = truncated;
        }
        out.write(header(nameBytes, type, mode, content.length));
        out.write(content);
        out.write(new byte[padding(content.length)]);
    }

    private static byte[] header(byte[] name, char type, int mode, long size) {
        byte[] h = new byte[BLOCK];
        System.arraycopy(name, 0, h, 0, Math.min(name.length, 100));
        octal(h, 100, 8, mode);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, size);
        octal(h, 136, 12, 0);
        h[156] = (byte) type;
        byte[] magic = "ustar\00000".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(magic, 0, h, 257, magic.length);
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        octal(h, 148, 7, sum);
        return h;
    }

    /** Writes {@code value} as zero-padded octal in {@code length - 1} digits and a NUL. */
    private static void octal(byte[] h, int offset, int length, long value) {
        String digits = Long.toOctalString(value);
        String padded = "0".repeat(Math.max(0, length - 1 - digits.length())) + digits;
        byte[] b = padded.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, offset, length - 1);
        h[offset + length - 1] = 0;
    }

    private static int padding(long size) {
        return (int) ((BLOCK - size % BLOCK) % BLOCK);
    }
}
