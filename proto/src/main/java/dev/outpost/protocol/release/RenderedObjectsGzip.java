package dev.outpost.protocol.release;

import com.google.protobuf.ByteString;
import dev.outpost.protocol.v1.RenderedObjects;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

/** Packs rendered YAML into a plan step's {@link RenderedObjects}: how the hub sends it, and test fixtures build it. */
public final class RenderedObjectsGzip {
    private RenderedObjectsGzip() {
    }

    /** {@code yaml} gzip'ed, with its length; the limits (GrpcLimits) are the caller's to check. */
    public static RenderedObjects of(String yaml) {
        byte[] bytes = yaml.getBytes(StandardCharsets.UTF_8);
        return RenderedObjects.newBuilder().setYamlGzip(ByteString.copyFrom(gzip(bytes))).setYamlBytes(bytes.length).build();
    }

    /** Gzip with GZIPOutputStream's fixed header (no timestamp), so equal YAML gives equal bytes. */
    public static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, bytes.length / 4));
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
