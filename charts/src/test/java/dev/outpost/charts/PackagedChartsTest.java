package dev.outpost.charts;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code helm package} makes an archive of each chart, and the archive renders as the folder does. */
class PackagedChartsTest {

    @TempDir
    Path work;

    @Test
    void bothChartsPackageAndTheArchivesRender() throws IOException {
        Path out = Files.createDirectories(work.resolve("packages"));
        new Helm(Charts.AGENT).packageIt().withDestination(out).call();
        new Helm(Charts.HUB).packageIt().withDestination(out).call();

        Path agent = out.resolve("outpost-agent-0.1.0.tgz");
        Path hub = out.resolve("outpost-hub-0.1.0.tgz");
        assertThat(agent).isRegularFile();
        assertThat(hub).isRegularFile();
        assertThat(Charts.render(agent, "acme", "outpost", AgentValues.defaults("acme-apps"), work).names())
                .isEqualTo(Charts.render(Charts.AGENT, "acme", "outpost", AgentValues.defaults("acme-apps"), work).names());
        assertThat(Charts.render(hub, "vendor", "outpost", HubValues.defaults(), work).names())
                .isEqualTo(Charts.render(Charts.HUB, "vendor", "outpost", HubValues.defaults(), work).names());
    }
}
