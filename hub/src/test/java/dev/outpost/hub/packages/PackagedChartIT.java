package dev.outpost.hub.packages;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import dev.outpost.hub.packages.archive.PackageArchiver;
import dev.outpost.hub.packages.inspect.HelmPackageInspection;
import dev.outpost.hub.packages.plan.HelmPackagePlanning;
import dev.outpost.protocol.v1.ClusterFacts;
import dev.outpost.protocol.v1.DeploymentPlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A component whose chart is a .tgz inside the package (as `helm package` writes it), through real helm-java. */
class PackagedChartIT {

    @Test
    void aChartArchiveInThePackageInspectsAndRenders(@TempDir Path temp) throws Exception {
        Path pkg = temp.resolve("pkg");
        Files.createDirectories(pkg.resolve("charts"));
        new Helm(TestPackages.directory("values-do-not-render").resolve("chart")).packageIt().withDestination(pkg.resolve("charts")).call();
        assertThat(pkg.resolve("charts/mini-0.1.0.tgz")).exists();
        Files.writeString(pkg.resolve("outpost.yaml"), """
                service: mini
                version: 0.1.0
                plans:
                  default:
                    values: {tag: "2.1"}
                components:
                  - name: app
                    chart:
                      path: charts/mini-0.1.0.tgz
                      values: {image: {tag: "{{ plan.tag }}"}}
                """);
        byte[] archive = PackageArchiver.pack(pkg);

        InspectedPackage inspected = new HelmPackageInspection().inspect(archive);
        DeploymentPlan plan = new HelmPackagePlanning().plan(archive,
                new PlanInputs("web", "web-ns", null, Map.of(), ClusterFacts.getDefaultInstance()));

        assertThat(inspected.service()).isEqualTo("mini");
        assertThat(GoodPackageIT.yaml(plan.getSteps(0))).contains("name: web-mini").contains("image: \"busybox:2.1\"");
    }
}
