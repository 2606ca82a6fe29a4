package dev.outpost.charts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The manifest shipped with installer-scripts/install-hub.sh is what the hub chart renders (with
 * -Doutpost.regenerate=true this test rewrites it), and filled as the script fills it, the same
 * objects as the chart with those values.
 */
class HubInstallerManifestTest {
    @TempDir
    Path work;

    @Test
    void theShippedManifestIsWhatTheChartRenders() throws IOException {
        String expected = HubInstallerManifest.generate(work);
        if (Boolean.getBoolean("outpost.regenerate")) {
            Files.writeString(HubInstallerManifest.FILE, expected, StandardCharsets.UTF_8);
        }
        assertThat(Files.readString(HubInstallerManifest.FILE, StandardCharsets.UTF_8))
                .as("outpost-hub.yaml differs from what charts/outpost-hub renders: regenerate it with "
                        + "./mvnw -pl charts test -Dtest=HubInstallerManifestTest -Doutpost.regenerate=true")
                .isEqualTo(expected);
    }

    @Test
    void filledItIsTheChartWithTheSameValues() throws IOException {
        String filled = fill(Map.of("__OUTPOST_HUB_NAMESPACE__", "vendor-hub",
                "__OUTPOST_HUB_HOSTNAMES__", "localhost,127.0.0.1,hub.vendor.example",
                "__OUTPOST_IMAGE__", "registry.example/outpost-dev/outpost-hub:1.2.3",
                "__OUTPOST_STORAGE_CLASS__", "fast"));
        String rendered = Charts.template(Charts.HUB, HubInstallerManifest.RELEASE, "vendor-hub", """
                image: {registry: registry.example, repository: outpost-dev/outpost-hub, tag: 1.2.3}
                persistence: {storageClass: fast}
                gateway: {hostnames: [localhost, 127.0.0.1, hub.vendor.example]}
                """, work);
        InstallerManifestsTest.assertSameObjects(filled, rendered);
    }

    /** What install-hub.sh does: each placeholder replaced, an unset storage class's line removed. */
    private static String fill(Map<String, String> values) throws IOException {
        String text = Files.readString(HubInstallerManifest.FILE, StandardCharsets.UTF_8);
        if (values.getOrDefault("__OUTPOST_STORAGE_CLASS__", "").isEmpty()) {
            text = text.replaceAll("(?m)^ *storageClassName: \"__OUTPOST_STORAGE_CLASS__\"\\n", "");
        }
        for (Map.Entry<String, String> value : values.entrySet()) {
            text = text.replace(value.getKey(), value.getValue());
        }
        assertThat(Pattern.compile("__OUTPOST_[A-Z_]+__").matcher(text).find()).as("a placeholder left unfilled").isFalse();
        return text;
    }
}
