package dev.outpost.hub.packages.archive;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads a tar stream (ustar, with GNU long names and pax path records) one entry at a time. Small on
 * purpose: commons-compress is not on the hub's classpath, and a package needs only these formats.
 */
final class TarReader {
    private static final int BLOCK = 512;
    /** Longest GNU long-name or pax header content read into memory. */
    private static final int MAX_META_BYTES = 64 * 1024;

    private final InputStream in;
    private long remainingInEntry;
    private long paddingAfterEntry;

    TarReader(InputStream in) {
        this.in = in;
    }

    /** The next entry, or null at the end of the archive. Skips what is left of the previous entry's content. */
    TarEntry next() throws IOException {
        skipRest();
        String longName = null;
        String longLink = null;
        while (true) {
            byte[] header = readBlock();
            if (header == null || isZero(header)) {
                return null;
            }
            checkChecksum(header);
            char type = (char) header[156];
            long size = octal(header, 124, 12);
            if (size < 0) {
                throw new IOException("a tar header has a negative size");
            }
            String name = string(header, 0, 100);
            String prefix = isUstar(header) ? string(header, 345, 155) : "";
            if (!prefix.isEmpty()) {
                name = prefix + "/" + name;
            }
            String link = string(header, 157, 100);
            switch (type) {
                case 'L' -> longName = trimNul(readMeta(size));
                case 'K' -> longLink = trimNul(readMeta(size));
                case 'x' -> {
                    for (String[] record : paxRecords(readMeta(size))) {
                        if (record[0].equals("path")) {
                            longName = record[1];
                        } else if (record[0].equals("linkpath")) {
                            longLink = record[1];
                        }
                    }
                }
                case 'g' -> readMeta(size); // global pax header: nothing a package needs
                default -> {
                    String path = longName != null ? longName : name;
                    String target = longLink != null ? longLink : link;
                    TarEntry.Type kind = kind(type, path);
                    long content = kind == TarEntry.Type.FILE ? size : 0;
                    remainingInEntry = content;
                    paddingAfterEntry = padding(content);
                    if (kind != TarEntry.Type.FILE && size > 0) {
                        // Content on a non-file entry (unusual but legal): skip it with the entry.
                        remainingInEntry = size;
                        paddingAfterEntry = padding(size);
                    }
                    boolean isLink = kind == TarEntry.Type.SYMLINK || kind == TarEntry.Type.HARDLINK;
                    return new TarEntry(path, kind, content, isLink ? target : null);
                }
            }
        }
    }

    /** The current entry's content; reads at most its size. */
    InputStream content() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (remainingInEntry <= 0) {
                    return -1;
                }
                int n = in.read(b, off, (int) Math.min(len, remainingInEntry));
                if (n < 0) {
                    throw new IOException("the archive ends in the middle of an entry");
                }
                remainingInEntry -= n;
                return n;
            }
        };
    }

    private void skipRest() throws IOException {
        skipFully(remainingInEntry + paddingAfterEntry);
        remainingInEntry = 0;
        paddingAfterEntry = 0;
    }

    private static TarEntry.Type kind(char type, String path) {
        return switch (type) {
            case '0', '\0', '7' -> path.endsWith("/") ? TarEntry.Type.DIRECTORY : TarEntry.Type.FILE;
            case '5' -> TarEntry.Type.DIRECTORY;
            case '2' -> TarEntry.Type.SYMLINK;
            case '1' -> TarEntry.Type.HARDLINK;
            case '3', '4' -> TarEntry.Type.DEVICE;
            case '6' -> TarEntry.Type.FIFO;
            default -> TarEntry.Type.OTHER;
        };
    }

    private byte[] readMeta(long size) throws IOException {
        if (size > MAX_META_BYTES) {
            throw new IOException("a tar long-name or pax header is larger than " + MAX_META_BYTES + " bytes");
        }
        byte[] data = in.readNBytes((int) size);
        if (data.length != size) {
            throw new IOException("the archive ends in the middle of a header");
        }
        skipFully(padding(size));
        return data;
    }

    private static java.util.List<String[]> paxRecords(byte[] data) throws IOException {
        java.util.List<String[]> records = new java.util.ArrayList<>();
        int pos = 0;
        while (pos < data.length) {
            int space = pos;
            while (space < data.length && data[space] != ' ') {
                space++;
            }
            int length;
            try {
                length = Integer.parseInt(new String(data, pos, space - pos, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new IOException("a pax header record is malformed");
            }
            if (length <= 0 || pos + length > data.length || space >= pos + length) {
                throw new IOException("a pax header record is malformed");
            }
            String record = new String(data, space + 1, pos + length - space - 2, StandardCharsets.UTF_8);
            int eq = record.indexOf('=');
            if (eq > 0) {
                records.add(new String[] {record.substring(0, eq), record.substring(eq + 1)});
            }
            pos += length;
        }
        return records;
    }

    private byte[] readBlock() throws IOException {
        byte[] block = in.readNBytes(BLOCK);
        if (block.length == 0) {
            return null;
        }
        if (block.length < BLOCK) {
            throw new IOException("the archive ends in the middle of a tar header");
        }
        return block;
    }

    private void skipFully(long n) throws IOException {
        while (n > 0) {
            long skipped = in.skip(n);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new IOException("the archive ends in the middle of an entry");
                }
                skipped = 1;
            }
            n -= skipped;
        }
    }

    private static long padding(long size) {
        return (BLOCK - size % BLOCK) % BLOCK;
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean isUstar(byte[] header) {
        return string(header, 257, 5).equals("ustar");
    }

    private static void checkChecksum(byte[] header) throws IOException {
        long expected = octal(header, 148, 8);
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : (header[i] & 0xff);
        }
        if (sum != expected) {
            throw new IOException("not a tar archive (a header's checksum does not match)");
        }
    }

    private static long octal(byte[] header, int offset, int length) throws IOException {
        if ((header[offset] & 0x80) != 0) {
            // GNU base-256: only sizes a package could never reach use it; refuse rather than parse.
            throw new IOException("a tar entry is too large");
        }
        long value = 0;
        boolean any = false;
        for (int i = offset; i < offset + length; i++) {
            byte b = header[i];
            if (b == 0 || b == ' ') {
                if (any) {
                    break;
                }
                continue;
            }
            if (b < '0' || b > '7') {
                throw new IOException("not a tar archive (a header has a malformed number)");
            }
            value = value * 8 + (b - '0');
            any = true;
        }
        return value;
    }

    private static String string(byte[] header, int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) {
            end++;
        }
        return new String(header, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static String trimNul(byte[] data) {
        int end = data.length;
        while (end > 0 && data[end - 1] == 0) {
            end--;
        }
        return new String(data, 0, end, StandardCharsets.UTF_8);
    }

    /** Copies the rest of the current entry to {@code out}; for tests and small reads. */
    byte[] readContent() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        content().transferTo(out);
        return out.toByteArray();
    }
}
