package dev.outpost.agent.plan;

import dev.outpost.agent.model.PlanException;
import dev.outpost.protocol.GrpcLimits;
import dev.outpost.protocol.v1.RenderedObjects;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;

/**
 * Inflates a step's {@code yaml_gzip}, stopping as soon as it grows past {@code maxYamlBytes} (so a
 * zip bomb costs at most that much memory), and checks it is UTF-8 text.
 */
public final class RenderedYaml {
    private RenderedYaml() {
    }

    /** The step's YAML within {@link GrpcLimits#MAX_RENDERED_YAML_BYTES}. */
    public static String inflate(String step, RenderedObjects objects) {
        return inflate(step, objects, GrpcLimits.MAX_RENDERED_GZIP_BYTES, GrpcLimits.MAX_RENDERED_YAML_BYTES);
    }

    /**
     * The step's YAML.
     *
     * @throws PlanException when the data is too large, not gzip, or not UTF-8
     */
    public static String inflate(String step, RenderedObjects objects, int maxGzipBytes, int maxYamlBytes) {
        byte[] gzip = objects.getYamlGzip().toByteArray();
        if (gzip.length == 0) {
            throw new PlanException("step `" + step + "` carries no objects (yaml_gzip is empty)");
        }
        if (gzip.length > maxGzipBytes) {
            throw new PlanException("step `" + step + "` carries " + gzip.length + " compressed bytes, more than the "
                    + maxGzipBytes + " allowed");
        }
        if (objects.getYamlBytes() > maxYamlBytes) {
            throw new PlanException("step `" + step + "` says its YAML has " + objects.getYamlBytes()
                    + " bytes, more than the " + maxYamlBytes + " allowed");
        }
        byte[] yaml = read(step, gzip, maxYamlBytes);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(yaml)).toString();
        } catch (CharacterCodingException e) {
            throw new PlanException("step `" + step + "`: the YAML is not UTF-8 text");
        }
    }

    private static byte[] read(String step, byte[] gzip, int maxYamlBytes) {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[64 * 1024];
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                if (out.size() + read > maxYamlBytes) {
                    throw new PlanException("step `" + step + "` inflates to more than the " + maxYamlBytes
                            + " bytes of YAML allowed");
                }
                out.write(buffer, 0, read);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new PlanException("step `" + step + "`: yaml_gzip is not valid gzip data (" + e.getMessage() + ")");
        }
    }
}
