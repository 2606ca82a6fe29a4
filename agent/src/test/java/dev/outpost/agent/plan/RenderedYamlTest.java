package dev.outpost.agent.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.outpost.agent.model.PlanException;
import dev.outpost.protocol.v1.RenderedObjects;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class RenderedYamlTest {

    @Test
    void inflatesTheStepsYaml() throws IOException {
        String yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: café}\n";

        assertThat(RenderedYaml.inflate("redis", objects(yaml.getBytes(StandardCharsets.UTF_8)))).isEqualTo(yaml);
    }

    @Test
    void stopsInflatingAZipBombAtTheLimit() throws IOException {
        // a bomb lies about its size: only inflating tells
        RenderedObjects bomb = objects(new byte[4 * 1024 * 1024]).toBuilder().setYamlBytes(100).build();

        assertThatThrownBy(() -> RenderedYaml.inflate("redis", bomb, 1024 * 1024, 1024 * 1024))
                .isInstanceOf(PlanException.class)
                .hasMessage("step `redis` inflates to more than the 1048576 bytes of YAML allowed");
    }

    @Test
    void refusesWhatIsTooLargeOrNotGzipOrNotText() throws IOException {
        RenderedObjects declaredTooLarge = objects("a: b".getBytes(StandardCharsets.UTF_8)).toBuilder()
                .setYamlBytes(9L * 1024 * 1024).build();
        assertThatThrownBy(() -> RenderedYaml.inflate("redis", declaredTooLarge))
                .hasMessage("step `redis` says its YAML has 9437184 bytes, more than the 8388608 allowed");
        assertThatThrownBy(() -> RenderedYaml.inflate("redis", objects("a: b".getBytes(StandardCharsets.UTF_8)), 4, 100))
                .hasMessageStartingWith("step `redis` carries ").hasMessageEndingWith("compressed bytes, more than the 4 allowed");
        assertThatThrownBy(() -> RenderedYaml.inflate("redis", RenderedObjects.newBuilder()
                .setYamlGzip(ByteString.copyFromUtf8("plain text")).build()))
                .hasMessageStartingWith("step `redis`: yaml_gzip is not valid gzip data");
        assertThatThrownBy(() -> RenderedYaml.inflate("redis", objects(new byte[] {(byte) 0xC3, (byte) 0x28})))
                .hasMessage("step `redis`: the YAML is not UTF-8 text");
        assertThatThrownBy(() -> RenderedYaml.inflate("redis", RenderedObjects.getDefaultInstance()))
                .hasMessage("step `redis` carries no objects (yaml_gzip is empty)");
    }

    private static RenderedObjects objects(byte[] yaml) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(yaml);
        }
        return RenderedObjects.newBuilder().setYamlGzip(ByteString.copyFrom(out.toByteArray())).setYamlBytes(yaml.length).build();
    }
}
