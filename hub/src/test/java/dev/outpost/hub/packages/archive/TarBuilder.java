package dev.outpost.hub.packages.archive;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

/** Writes hand-made tar.gz archives for tests, including entries a real package must never have. */
final class TarBuilder {
    private final ByteArrayOutputStream tar = new ByteArrayOutputStream();

    TarBuilder file(String name, String content) {
        return entry(name, '0', "", content.getBytes(StandardCharsets.UTF_8));
    }

    TarBuilder directory(String name) {
        return entry(name, '5', "", new byte[0]);
    }

    TarBuilder symlink(String name, String target) {
        return entry(name, '2', target, new byte[0]);
    }

    TarBuilder hardlink(String name, String target) {
        return entry(name, '1', target, new byte[0]);
    }

    TarBuilder device(String name) {
        return entry(name, '3', "", new byte[0]);
    }

    TarBuilder entry(String name, char type, String link, byte[] content) {
        byte[] h = new byte[512];
        put(h, 0, name.getBytes(StandardCharsets.UTF_8));
        octal(h, 100, 8, 0644);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, content.length);
        octal(h, 136, 12, 0);
        h[156] = (byte) type;
        put(h, 157, link.getBytes(StandardCharsets.UTF_8));
        put(h, 257, "ustar\00000".getBytes(StandardCharsets.US_ASCII));
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        octal(h, 148, 7, sum);
        tar.writeBytes(h);
        tar.writeBytes(content);
        tar.writeBytes(new byte[(512 - content.length % 512) % 512]);
        return this;
    }

    /** The archive, gzip'ed. */
    byte[] tgz() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(tar.toByteArray());
            gzip.write(new byte[1024]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void put(byte[] h, int offset, byte[] value) {
        System.arraycopy(value, 0, h, offset, Math.min(value.length, 100));
    }

    private static void octal(byte[] h, int offset, int length, long value) {
        String digits = Long.toOctalString(value);
        byte[] b = ("0".repeat(length - 1 - digits.length()) + digits).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, offset, length - 1);
    }
}
