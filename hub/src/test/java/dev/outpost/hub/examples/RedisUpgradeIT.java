package dev.outpost.hub.examples;

import static dev.outpost.hub.examples.RedisChartIT.configData;
import static dev.outpost.hub.examples.RedisChartIT.redisConf;
import static dev.outpost.hub.examples.RedisChartIT.redisContainer;
import static dev.outpost.hub.examples.Rendered.at;
import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * redis 1.1.0, built from 1.0.0 and examples/redis-upgrade-1.1.0: the chart really changes where the
 * upgrade says (a new ConfigMap key, a changed readiness probe, pods that roll) and nowhere else.
 */
class RedisUpgradeIT {

    private static final String VALUES = """
            architecture: replication
            auth: {password: pw-0123456789abcdef}
            replica: {replicaCount: 2}
            """;

    @TempDir
    Path work;

    private Path v110;
    private Rendered before;
    private Rendered after;

    @BeforeEach
    void render() {
        v110 = ExamplePackages.redis110(work);
        before = HelmRender.render(ExamplePackages.redis().resolve("chart"), VALUES, work);
        after = HelmRender.render(v110.resolve("chart"), VALUES, work);
    }

    @Test
    void theNewVersionIsAPackageOfItsOwnThatLintsClean() throws IOException {
        LintResult lint = HelmRender.lint(v110.resolve("chart"));

        assertThat(lint.isFailed()).as("%s", lint.getMessages()).isFalse();
        assertThat(lint.getMessages()).allMatch(m -> m.startsWith("[INFO]"));
        assertThat(Files.readAllLines(v110.resolve("outpost.yaml"))).contains("version: 1.1.0").doesNotContain("version: 1.0.0");
        assertThat(Files.readString(v110.resolve("chart/Chart.yaml")))
                .contains("\nversion: 1.1.0\n")
                // The vendored library chart stays what it was.
                .contains("    version: 1.0.0\n");
        // The source directory is left as it was.
        assertThat(Files.readAllLines(ExamplePackages.redis().resolve("outpost.yaml"))).contains("version: 1.0.0");
    }

    @Test
    void theSameObjectsAreUpgradedNoneAddedNoneDropped() {
        assertThat(names(after)).isEqualTo(names(before));
        assertThat(at(after.one("StatefulSet", "shop-redis-replicas"), "metadata.labels"))
                .isInstanceOfSatisfying(Map.class, labels -> assertThat(labels).containsEntry("helm.sh/chart", "redis-1.1.0"));
    }

    @Test
    void theConfigMapGainsTheReadinessScriptAndTwoSettings() {
        assertThat(configData(before)).containsOnlyKeys("redis.conf");
        assertThat(configData(after)).containsOnlyKeys("redis.conf", "readiness.sh");
        assertThat(configData(after).get("readiness.sh")).contains("master_link_status:up");
        assertThat(redisConf(after)).contains("tcp-keepalive 60", "latency-monitor-threshold 100");
        assertThat(redisConf(before)).doesNotContain("tcp-keepalive");
    }

    @Test
    void theReadinessProbeRunsTheScriptLessOften() {
        for (String name : List.of("shop-redis-master", "shop-redis-replicas")) {
            Map<String, Object> was = redisContainer(before.one("StatefulSet", name));
            Map<String, Object> is = redisContainer(after.one("StatefulSet", name));

            assertThat(at(is, "readinessProbe.exec.command")).as(name).isEqualTo(List.of("sh", "/etc/redis/readiness.sh"));
            assertThat(at(was, "readinessProbe.exec.command")).as(name).isNotEqualTo(at(is, "readinessProbe.exec.command"));
            assertThat(at(was, "readinessProbe.periodSeconds")).as(name).isEqualTo(5);
            assertThat(at(is, "readinessProbe.periodSeconds")).as(name).isEqualTo(10);
            // The liveness probe is not part of the change.
            assertThat(at(is, "livenessProbe")).as(name).isEqualTo(at(was, "livenessProbe"));
        }
    }

    @Test
    void thePodsRollBecauseTheirConfigChanged() {
        for (String name : List.of("shop-redis-master", "shop-redis-replicas")) {
            String path = "spec.template.metadata.annotations.checksum/config";
            assertThat(at(after.one("StatefulSet", name), path)).as(name)
                    .isNotNull()
                    .isNotEqualTo(at(before.one("StatefulSet", name), path));
        }
    }

    @Test
    void theOverlayKeepsEveryLineOfTheConfigMapItReplaces() throws IOException {
        // The overlay's configmap.yaml is a copy plus additions: a change to 1.0.0's that the copy
        // misses would make 1.1.0 silently undo it.
        String template = "chart/templates/configmap.yaml";
        List<String> was = Files.readAllLines(ExamplePackages.redis().resolve(template));
        List<String> is = Files.readAllLines(v110.resolve(template));

        assertThat(is).containsSubsequence(was);
        assertThat(is.size()).isGreaterThan(was.size());
    }

    private static List<String> names(Rendered objects) {
        return objects.objects().stream().map(o -> o.get("kind") + "/" + at(o, "metadata.name")).sorted().toList();
    }
}
